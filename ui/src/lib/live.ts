import { useEffect } from 'react'
import { pb } from './pb'

/** PENDING_EVENT is dispatched on window when a coverage answer says it was
 *  built while the server's model was still catching up with a change
 *  (header X-Aegis-Coverage: pending). */
export const PENDING_EVENT = 'aegis:coverage-pending'

const previous = pb.afterSend
pb.afterSend = (response: Response, data: unknown, options?: unknown) => {
  if (response.headers?.get('X-Aegis-Coverage') === 'pending' && typeof window !== 'undefined') window.dispatchEvent(new Event(PENDING_EVENT))
  return previous ? (previous as (r: Response, d: unknown, o?: unknown) => unknown)(response, data, options) : data
}

/** MAX_PENDING_RETRIES bounds how often a view asks again for one change. */
export const MAX_PENDING_RETRIES = 10

/**
 * useLiveReload calls reload shortly after any record of the collections
 * changes (realtime), so computed views such as coverage scores follow the
 * work as it happens. Bursts of changes cause one reload. When the answer
 * says the server was still catching up with a change, it asks again, so a
 * view never stays behind a change it was told about.
 */
export function useLiveReload(collections: string[], reload: () => void, delayMs = 600): void {
  const key = collections.join(',')
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | null = null
    let dead = false
    let retries = 0
    const unsubs: (() => Promise<void>)[] = []
    const schedule = () => {
      if (timer) clearTimeout(timer)
      timer = setTimeout(() => !dead && reload(), delayMs)
    }
    const poke = () => {
      retries = 0
      schedule()
    }
    const pending = () => {
      if (retries >= MAX_PENDING_RETRIES) return
      retries++
      schedule()
    }
    window.addEventListener(PENDING_EVENT, pending)
    for (const c of key.split(',')) {
      pb.collection(c)
        .subscribe('*', poke)
        .then((u) => {
          if (dead) u().catch(() => {})
          else unsubs.push(u)
        })
        .catch(() => {})
    }
    return () => {
      dead = true
      if (timer) clearTimeout(timer)
      window.removeEventListener(PENDING_EVENT, pending)
      for (const u of unsubs) u().catch(() => {})
    }
  }, [key, reload, delayMs])
}
