import { pb } from './pb'

// Downloads: authenticated blobs, file names, and byte counts for humans.

/** fetchBlob downloads an authenticated route as a blob (links cannot send the token). */
export async function fetchBlob(path: string): Promise<Blob> {
  const res = await fetch(path, { headers: pb.authStore.token ? { Authorization: pb.authStore.token } : {} })
  if (!res.ok) {
    let msg = `Request failed (${res.status})`
    try {
      const j = await res.json()
      if (j?.message) msg = j.message
    } catch {
      /* not JSON */
    }
    throw new Error(msg)
  }
  return res.blob()
}

/** saveBlob hands a blob to the browser as a file download. */
export function saveBlob(blob: Blob, name: string) {
  const url = URL.createObjectURL(blob)
  const a = document.createElement('a')
  a.href = url
  a.download = name
  document.body.appendChild(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(url), 30_000)
}

/** fileName is the last path segment of an export route. */
export function fileName(path: string): string {
  const p = path.split('?')[0].split('/').pop() || 'download'
  return p === 'navigator' ? 'aegis-navigator-layer.json' : 'aegis-' + p
}

/** formatBytes prints a byte count for humans. */
export function formatBytes(n: number): string {
  if (!isFinite(n) || n < 0) return '—'
  if (n < 1024) return `${n} B`
  const units = ['KB', 'MB', 'GB', 'TB']
  let v = n / 1024
  let i = 0
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024
    i++
  }
  return `${v >= 10 ? Math.round(v) : Math.round(v * 10) / 10} ${units[i]}`
}
