import { useCallback, useEffect, useRef, useState } from 'react'
import { api } from '../../lib/pb'
import { chunks } from '../../lib/data'
import type { Action, ServerActions } from '../../lib/workflow'

/** fetchActions asks the server which actions the caller may take on each
 *  test now; tests it does not answer for (hidden, deleted) are absent. */
export async function fetchActions(ids: string[]): Promise<ServerActions> {
  const out: ServerActions = {}
  for (const part of chunks(ids, 200)) {
    const r = await api<{ tests: ServerActions }>(`/api/aegis/tests/actions?ids=${part.map(encodeURIComponent).join(',')}`)
    Object.assign(out, r.tests ?? {})
  }
  return out
}

/** useServerActions keeps the server's answer for a list of tests and
 *  refreshes one test when it changes (e.g. over realtime). actionsFor
 *  offers nothing while the answer is older than the test shown. */
export function useServerActions(ids: string[]) {
  const [map, setMap] = useState<ServerActions>({})
  const key = ids.join(',')
  const load = useCallback(async (list: string[]) => {
    if (list.length === 0) return
    const got = await fetchActions(list)
    setMap((m) => {
      const n = { ...m }
      for (const id of list) delete n[id]
      return { ...n, ...got }
    })
  }, [])
  useEffect(() => {
    load(key ? key.split(',') : []).catch(() => {})
  }, [key, load])
  // Changes arrive in bursts (a bulk approve is one event per test): ask
  // once for every test changed within 150 ms.
  const queued = useRef(new Set<string>())
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null)
  const refresh = useCallback(
    (id: string) => {
      queued.current.add(id)
      if (timer.current) return
      timer.current = setTimeout(() => {
        const ids = [...queued.current]
        queued.current.clear()
        timer.current = null
        load(ids).catch(() => {})
      }, 150)
    },
    [load],
  )
  useEffect(() => () => void (timer.current && clearTimeout(timer.current)), [])
  const actionsFor = useCallback((t: { id: string; revision: number }): Action[] => {
    const a = map[t.id]
    return a && a.revision === t.revision ? a.actions : []
  }, [map])
  return { map, refresh, actionsFor }
}
