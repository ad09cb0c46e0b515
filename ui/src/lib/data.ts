import { useCallback, useEffect, useRef, useState, type Dispatch, type SetStateAction } from 'react'
import { errorMessage, errorStatus } from './pb'

export type Loaded<T> = {
  data: T | null
  error: string
  status: number
  loading: boolean
  reload: () => void
  set: Dispatch<SetStateAction<T | null>>
  /** changed tells the loader that the data changed on the server (a live
   *  event): an answer still in flight may predate the change, so it loads
   *  once more when that answer is in. */
  changed: () => void
}

/** useLoad runs an async loader whenever deps change and keeps only the
 *  latest answer, so a slow old request never overwrites a newer one. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): Loaded<T> {
  const [data, setData] = useState<T | null>(null)
  const [error, setError] = useState('')
  const [status, setStatus] = useState(0)
  const [loading, setLoading] = useState(true)
  const [tick, setTick] = useState(0)
  const seq = useRef(0)
  const inFlight = useRef(false)
  const stale = useRef(false)
  useEffect(() => {
    const n = ++seq.current
    inFlight.current = true
    stale.current = false
    setLoading(true)
    load()
      .then((d) => {
        if (n !== seq.current) return
        setData(d)
        setError('')
        setStatus(0)
      })
      .catch((err) => {
        if (n !== seq.current) return
        setError(errorMessage(err))
        setStatus(errorStatus(err))
      })
      .finally(() => {
        if (n !== seq.current) return
        inFlight.current = false
        setLoading(false)
        if (stale.current) setTick((t) => t + 1)
      })
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, tick])
  const reload = useCallback(() => setTick((t) => t + 1), [])
  const changed = useCallback(() => {
    if (inFlight.current) stale.current = true
  }, [])
  return { data, error, status, loading, reload, set: setData, changed }
}

/** SEARCH_PAUSE_MS is how long typing in a search box pauses before the list
 *  asks again: one request per pause instead of one per key (which for a
 *  term that matches nothing is also a run of empty filtered lists, the
 *  kind the server may delay). */
export const SEARCH_PAUSE_MS = 250

/** useDebounced follows value once it has not changed for ms; the first
 *  value (a page opened with a search in its link) is taken at once. */
export function useDebounced<T>(value: T, ms = SEARCH_PAUSE_MS): T {
  const [settled, setSettled] = useState(value)
  useEffect(() => {
    if (Object.is(value, settled)) return
    const id = setTimeout(() => setSettled(value), ms)
    return () => clearTimeout(id)
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [value, ms])
  return settled
}

/** hasMore tells whether a skipTotal page may have a successor. */
export function hasMore(count: number, perPage: number): boolean {
  return count >= perPage
}

/** chunks splits a list so filters built from it stay below URL limits. */
export function chunks<T>(xs: T[], size: number): T[][] {
  const out: T[][] = []
  for (let i = 0; i < xs.length; i += size) out.push(xs.slice(i, i + size))
  return out
}
