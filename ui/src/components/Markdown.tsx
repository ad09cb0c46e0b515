import { Fragment, type ReactNode } from 'react'

// A small, safe Markdown renderer for procedures and descriptions: headings,
// paragraphs, lists, fenced and inline code, bold, italics and http(s)
// links. It builds React elements from text and never injects HTML, so a
// procedure cannot carry markup or scripts into the page.

type Block =
  | { kind: 'h'; level: number; text: string }
  | { kind: 'p'; text: string }
  | { kind: 'ul' | 'ol'; items: string[] }
  | { kind: 'code'; lang: string; text: string }

/** parseBlocks splits Markdown text into blocks. */
export function parseBlocks(src: string): Block[] {
  const lines = src.replace(/\r\n?/g, '\n').split('\n')
  const out: Block[] = []
  let para: string[] = []
  const flush = () => {
    if (para.length) out.push({ kind: 'p', text: para.join(' ') })
    para = []
  }
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!
    const fence = line.match(/^\s*(```|~~~)\s*([\w+-]*)/)
    if (fence) {
      flush()
      const body: string[] = []
      i++
      while (i < lines.length && !lines[i]!.trim().startsWith(fence[1]!)) body.push(lines[i++]!)
      out.push({ kind: 'code', lang: fence[2] ?? '', text: body.join('\n') })
      continue
    }
    const h = line.match(/^(#{1,6})\s+(.*)$/)
    if (h) {
      flush()
      out.push({ kind: 'h', level: h[1]!.length, text: h[2]!.trim() })
      continue
    }
    const li = line.match(/^\s*([-*+]|\d+[.)])\s+(.*)$/)
    if (li) {
      flush()
      const kind = /\d/.test(li[1]!) ? 'ol' : 'ul'
      const last = out[out.length - 1]
      if (last && last.kind === kind) last.items.push(li[2]!)
      else out.push({ kind, items: [li[2]!] })
      continue
    }
    if (/^ {4,}|^\t/.test(line) && para.length === 0) {
      const last = out[out.length - 1]
      if (last && last.kind === 'code' && last.lang === '') last.text += '\n' + line.replace(/^ {4}|^\t/, '')
      else out.push({ kind: 'code', lang: '', text: line.replace(/^ {4}|^\t/, '') })
      continue
    }
    if (!line.trim()) {
      flush()
      continue
    }
    para.push(line.trim())
  }
  flush()
  return out
}

/** inline renders `code`, **bold**, *italic* and [links](https://…). */
export function inline(text: string): ReactNode[] {
  const out: ReactNode[] = []
  const re = /(`[^`]+`)|(\*\*[^*]+\*\*)|(\*[^*\s][^*]*\*)|(\[[^\]]+\]\([^)\s]+\))/g
  let last = 0
  let k = 0
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m.index > last) out.push(text.slice(last, m.index))
    const t = m[0]
    if (m[1]) out.push(<code key={k++}>{t.slice(1, -1)}</code>)
    else if (m[2]) out.push(<b key={k++}>{t.slice(2, -2)}</b>)
    else if (m[3]) out.push(<i key={k++}>{t.slice(1, -1)}</i>)
    else {
      const lm = t.match(/^\[([^\]]+)\]\(([^)\s]+)\)$/)!
      const href = lm[2]!
      out.push(
        /^https?:\/\//i.test(href) ? (
          <a key={k++} href={href} target="_blank" rel="noopener noreferrer">
            {lm[1]}
          </a>
        ) : (
          <Fragment key={k++}>{lm[1]}</Fragment>
        ),
      )
    }
    last = m.index + t.length
  }
  if (last < text.length) out.push(text.slice(last))
  return out
}

export function Markdown({ text, code }: { text: string; code?: (text: string, lang: string, i: number) => ReactNode }) {
  const blocks = parseBlocks(text)
  return (
    <div className="prose markdown" data-testid="markdown">
      {blocks.map((b, i) => {
        switch (b.kind) {
          case 'h': {
            const H = (`h${Math.min(b.level + 2, 6)}`) as 'h3'
            return <H key={i}>{inline(b.text)}</H>
          }
          case 'p':
            return <p key={i}>{inline(b.text)}</p>
          case 'ul':
            return <ul key={i}>{b.items.map((x, j) => <li key={j}>{inline(x)}</li>)}</ul>
          case 'ol':
            return <ol key={i}>{b.items.map((x, j) => <li key={j}>{inline(x)}</li>)}</ol>
          case 'code':
            return code ? <Fragment key={i}>{code(b.text, b.lang, i)}</Fragment> : <pre key={i} className="codeblock">{b.text}</pre>
        }
      })}
    </div>
  )
}
