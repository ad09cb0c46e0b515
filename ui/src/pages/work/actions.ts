import { useCallback, useEffect, useState } from 'react'
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
  const refresh = useCallback((id: string) => void load([id]).catch(() => {}), [load])
  const actionsFor = useCallback((t: { id: string; revision: number }): Action[] => {
    const a = map[t.id]
    return a && a.revision === t.revision ? a.actions : []
  }, [map])
  return { map, refresh, actionsFor }
}
