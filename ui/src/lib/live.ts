import { useEffect, useRef } from 'react'
import type { RecordModel, RecordSubscribeOptions, RecordSubscription } from 'pocketbase'
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

/**
 * useSubscription calls onEvent for each realtime event of a collection's
 * topic ('*' for every record, or one record id) while the component is
 * mounted, and unsubscribes when it goes (also when it goes before the
 * subscription was confirmed). onEvent may change between renders without
 * subscribing again; an expand in options is part of the subscription.
 */
export function useSubscription<T extends RecordModel = RecordModel>(collection: string, topic: string, onEvent: (e: RecordSubscription<T>) => void, options?: RecordSubscribeOptions): void {
  const handler = useRef(onEvent)
  handler.current = onEvent
  const opts = JSON.stringify(options ?? {})
  useEffect(() => {
    if (!topic) return
    let unsub: (() => Promise<void>) | null = null
    let dead = false
    pb.collection(collection)
      .subscribe<T>(topic, (e) => handler.current(e), JSON.parse(opts) as RecordSubscribeOptions)
      .then((u) => {
        if (dead) u().catch(() => {})
        else unsub = u
      })
      .catch(() => {})
    return () => {
      dead = true
      unsub?.().catch(() => {})
    }
  }, [collection, topic, opts])
}

/**
 * applyEvent folds a realtime event into a list shown on screen: a deleted
 * record leaves it, a known one is replaced in place, a new one is put first
 * when add is true (the first page of a list sorted newest first), and the
 * list keeps at most limit rows.
 */
export function applyEvent<T extends { id: string }>(items: T[], e: { action: string; record: T }, opts: { add?: boolean; limit?: number } = {}): T[] {
  const { add = true, limit } = opts
  if (e.action === 'delete') return items.filter((x) => x.id !== e.record.id)
  if (items.some((x) => x.id === e.record.id)) return items.map((x) => (x.id === e.record.id ? e.record : x))
  if (!add) return items
  const out = [e.record, ...items]
  return limit ? out.slice(0, limit) : out
}
