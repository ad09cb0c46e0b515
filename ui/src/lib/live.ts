import { useEffect } from 'react'
import { pb } from './pb'

/**
 * useLiveReload calls reload shortly after any record of the collections
 * changes (realtime), so computed views such as coverage scores follow the
 * work as it happens. Bursts of changes cause one reload.
 */
export function useLiveReload(collections: string[], reload: () => void, delayMs = 600): void {
  const key = collections.join(',')
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | null = null
    let dead = false
    const unsubs: (() => Promise<void>)[] = []
    const poke = () => {
      if (timer) clearTimeout(timer)
      timer = setTimeout(() => !dead && reload(), delayMs)
    }
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
      for (const u of unsubs) u().catch(() => {})
    }
  }, [key, reload, delayMs])
}
