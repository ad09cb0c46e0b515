import type { Column } from './Matrix'
import type { CoverageCell } from './common'
import { saveBlob } from '../../lib/files'

// Builds the matrix heatmap as a standalone SVG document (literal colours, no
// stylesheet) so it opens anywhere, and renders it to PNG through a canvas.

export const LEVEL_FILL: Record<string, [string, string]> = {
  none: ['#e8ebef', '#4d5b6b'],
  low: ['#f6c8c4', '#7a1d14'],
  partial: ['#fbe3a1', '#6b4a00'],
  good: ['#a7dcb5', '#14532d'],
  validated: ['#2e8b57', '#ffffff'],
  out_of_scope: ['#f3f4f6', '#7a8796'],
  plain: ['#ffffff', '#1b2430'],
}

const escXml = (s: string) => s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!)

/** wrap splits a name into at most two lines of about max characters. */
export function wrap(name: string, max = 24): string[] {
  const words = name.split(/\s+/)
  const lines: string[] = ['']
  for (const w of words) {
    const cur = lines[lines.length - 1]
    if (cur && (cur + ' ' + w).length > max) {
      if (lines.length === 2) {
        lines[1] = (lines[1] + ' ' + w).slice(0, max - 1) + '…'
        break
      }
      lines.push(w)
    } else lines[lines.length - 1] = cur ? cur + ' ' + w : w
  }
  return lines
}

export function heatmapSvg(cols: Column[], scores: Map<string, CoverageCell>, opts: { title: string; subtitle?: string }): string {
  const colW = 150
  const gap = 6
  const headH = 44
  const cellH = 38
  const top = 56
  const height = top + headH + gap + Math.max(1, ...cols.map((c) => c.techniques.length)) * (cellH + 4) + 16
  const width = Math.max(400, cols.length * (colW + gap) + gap)
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="${gap}" y="24" font-size="16" font-weight="700" fill="#1b2430">${escXml(opts.title)}</text>`,
  ]
  if (opts.subtitle) out.push(`<text x="${gap}" y="42" font-size="11" fill="#4d5b6b">${escXml(opts.subtitle)}</text>`)
  cols.forEach((c, i) => {
    const x = gap + i * (colW + gap)
    out.push(`<rect x="${x}" y="${top}" width="${colW}" height="${headH}" rx="4" fill="#111a2b"/>`)
    wrap(c.tactic.name, 22).forEach((line, j) => out.push(`<text x="${x + 6}" y="${top + 16 + j * 13}" font-size="11" font-weight="700" fill="#ffffff">${escXml(line)}</text>`))
    c.techniques.forEach(({ t }, k) => {
      const y = top + headH + gap + k * (cellH + 4)
      const sc = scores.get(t.attack_id)
      const level = !t.in_scope ? 'out_of_scope' : sc?.level || (scores.size ? 'none' : 'plain')
      const [fill, ink] = LEVEL_FILL[level] ?? LEVEL_FILL.none
      out.push(`<g><title>${escXml(`${t.attack_id} ${t.name}${sc ? ` · ${Math.round(sc.score)}` : ''}`)}</title>`)
      out.push(`<rect x="${x}" y="${y}" width="${colW}" height="${cellH}" rx="3" fill="${fill}" stroke="#d0d6de"/>`)
      const lines = wrap(t.name, 24)
      lines.forEach((line, j) => out.push(`<text x="${x + 5}" y="${y + 13 + j * 11}" font-size="9.5" fill="${ink}">${escXml(line)}</text>`))
      out.push(`<text x="${x + 5}" y="${y + cellH - 4}" font-size="8.5" fill="${ink}" opacity="0.8">${escXml(t.attack_id)}${sc ? ` · ${Math.round(sc.score)}` : ''}</text></g>`)
    })
  })
  out.push('</svg>')
  return out.join('\n')
}

/** download saves the heatmap as a file (saveBlob, with the name first). */
export function download(name: string, blob: Blob) {
  saveBlob(blob, name)
}

export async function svgToPng(svg: string): Promise<Blob> {
  const img = new Image()
  const url = URL.createObjectURL(new Blob([svg], { type: 'image/svg+xml' }))
  try {
    await new Promise<void>((ok, fail) => {
      img.onload = () => ok()
      img.onerror = () => fail(new Error('The heatmap could not be drawn.'))
      img.src = url
    })
    const canvas = document.createElement('canvas')
    canvas.width = img.width * 2
    canvas.height = img.height * 2
    const ctx = canvas.getContext('2d')!
    ctx.scale(2, 2)
    ctx.drawImage(img, 0, 0)
    return await new Promise<Blob>((ok, fail) => canvas.toBlob((b) => (b ? ok(b) : fail(new Error('PNG encoding failed.'))), 'image/png'))
  } finally {
    URL.revokeObjectURL(url)
  }
}
