import { useEffect } from 'react'
import type { RecordModel } from 'pocketbase'
import { pb, esc } from './pb'
import { useLoad } from './data'
import { setQuery, useLocation } from './router'

// Keyset (cursor) pagination. A long list is read in the order of an index
// (e.g. tests by (updated, id), the audit log by (created, id)); the next page
// is "the rows after the last one shown" (`updated <= X && (updated < X ||
// (updated = X && id < Y))`), the previous page the mirror read backwards,
// so every page costs what the first does instead of walking an OFFSET.
// The cursor (the boundary row's sort values) lives in the URL next to the
// page number, which is only shown: a link opens the same page.

/** keysetFilter is the filter of the rows strictly after (or before) values
 *  in the order of keys (all ascending or all descending: "-updated,-id").
 *  Its first term is a range on the first key, so the index is entered at
 *  the cursor instead of read from its start. */
export function keysetFilter(keys: string[], values: string[], dir: 'after' | 'before'): string {
  if (keys.length === 0 || keys.length !== values.length) return ''
  const desc = keys[0].startsWith('-')
  const forward = (dir === 'after') !== desc // true: the rows wanted have greater values
  const op = forward ? '>' : '<'
  const names = keys.map((k) => k.replace(/^-/, ''))
  const lex = (i: number): string =>
    i === names.length - 1 ? `${names[i]} ${op} ${esc(values[i])}` : `(${names[i]} ${op} ${esc(values[i])} || (${names[i]} = ${esc(values[i])} && ${lex(i + 1)}))`
  return `${names[0]} ${op}= ${esc(values[0])} && ${lex(0)}`
}

/** reverseSort flips every key of a sort ("-updated,-id" → "updated,id"). */
export function reverseSort(keys: string[]): string {
  return keys.map((k) => (k.startsWith('-') ? k.slice(1) : '-' + k)).join(',')
}

/** cursorOf is the cursor of a row: its values of the sort keys. */
export function cursorOf(row: Record<string, unknown>, keys: string[]): string {
  return JSON.stringify(keys.map((k) => String(row[k.replace(/^-/, '')] ?? '')))
}

/** parseCursor reads a cursor from the URL; anything malformed is no cursor. */
export function parseCursor(raw: string | null, n: number): string[] | null {
  if (!raw) return null
  try {
    const v = JSON.parse(raw)
    return Array.isArray(v) && v.length === n && v.every((x) => typeof x === 'string') ? v : null
  } catch {
    return null
  }
}

/** perPageOf reads the page size from the URL (?per=), one of options, else the first. */
export function perPageOf(raw: string | null, options: number[]): number {
  const n = Number(raw)
  return options.includes(n) ? n : options[0]
}

/** andFilter joins two filters with &&. */
export const andFilter = (a: string, b: string) => (a && b ? `(${a}) && ${b}` : a || b)

export type CursorPage<T> = {
  rows: T[]
  loading: boolean
  error: string
  page: number
  hasNext: boolean
  hasPrev: boolean
  next: () => void
  prev: () => void
  reload: () => void
}

/** useCursorList loads one page of collection in the order of keys, from the
 *  cursor of the URL (?after=… or ?before=…, and page=N for the display).
 *  It asks for one row more than it shows, to know whether a page follows,
 *  and for no total (skipTotal). */
export function useCursorList<T extends RecordModel>(
  collection: string,
  opts: { keys: string[]; perPage: number; filter: string; expand?: string; enabled?: boolean },
): CursorPage<T> {
  const { query } = useLocation()
  const { keys, perPage, filter, expand, enabled = true } = opts
  const after = parseCursor(query.get('after'), keys.length)
  const before = after ? null : parseCursor(query.get('before'), keys.length)
  // Without a cursor it is the first page, whatever page says.
  const page = after || before ? Math.max(1, Math.floor(Number(query.get('page'))) || 1) : 1
  const sortKey = keys.join(',')
  const list = useLoad(async () => {
    if (!enabled) return null
    const dir = after ? 'after' : before ? 'before' : null
    const f = dir ? andFilter(filter, keysetFilter(keys, (after ?? before) as string[], dir)) : filter
    const res = await pb.collection(collection).getList<T>(1, perPage + 1, {
      sort: dir === 'before' ? reverseSort(keys) : sortKey,
      filter: f,
      expand,
      skipTotal: true,
    })
    const more = res.items.length > perPage
    const items = res.items.slice(0, perPage)
    if (dir === 'before') {
      items.reverse()
      return { items, hasNext: true, hasPrev: more, atStart: !more }
    }
    return { items, hasNext: more, hasPrev: dir === 'after', atStart: !dir }
  }, [collection, sortKey, perPage, filter, expand, enabled, query.get('after'), query.get('before')])
  const d = list.data
  // Paging back past the first row (rows were added or removed meanwhile):
  // show the first page as it is now.
  const restart = !!(d && before && d.atStart && !list.loading)
  useEffect(() => {
    if (restart) setQuery({ before: null, after: null, page: null })
  }, [restart])
  const rows = d?.items ?? []
  return {
    rows,
    loading: list.loading,
    error: list.error,
    page,
    hasNext: !!d?.hasNext,
    hasPrev: !!d?.hasPrev,
    next: () => rows.length > 0 && setQuery({ after: cursorOf(rows[rows.length - 1], keys), before: null, page: page + 1 }),
    prev: () => rows.length > 0 && setQuery({ before: cursorOf(rows[0], keys), after: null, page: page > 2 ? page - 1 : null }),
    reload: list.reload,
  }
}
