import { createContext, useCallback, useContext, useEffect, useRef, useState, type ReactNode } from 'react'
import type { RecordModel } from 'pocketbase'
import { pb } from './pb'
import { useToast } from '../ds'

// Live notifications: one realtime subscription for the whole app feeds the
// header bell, toasts for new arrivals, and any page that listens.

export type Notification = RecordModel & {
  user: string
  kind: string
  title: string
  body: string
  link: string
  read: boolean
}

type Listener = (action: string, n: Notification) => void
type Ctx = { unread: number; refresh: () => void; listen: (l: Listener) => () => void; live: boolean }

const NotificationsContext = createContext<Ctx>({ unread: 0, refresh: () => {}, listen: () => () => {}, live: false })

export function NotificationsProvider({ userId, children }: { userId: string; children: ReactNode }) {
  const [unread, setUnread] = useState(0)
  const [live, setLive] = useState(false)
  const listeners = useRef(new Set<Listener>())
  const toast = useToast()

  // The unread count always comes from the server, and only the newest
  // answer counts: a count taken before an event never overwrites one taken
  // after it.
  const seq = useRef(0)
  const refresh = useCallback(() => {
    const n = ++seq.current
    pb.collection('notifications')
      .getList(1, 1, { filter: pb.filter('user = {:u} && read = false', { u: userId }), fields: 'id' })
      .then((r) => n === seq.current && setUnread(r.totalItems))
      .catch(() => {})
  }, [userId])

  useEffect(() => {
    let unsub: (() => Promise<void>) | null = null
    let cancelled = false
    pb.collection('notifications')
      .subscribe<Notification>('*', (e) => {
        if (e.record.user !== userId) return
        if (e.action === 'create' && !e.record.read) toast.push({ title: e.record.title, body: e.record.body })
        refresh()
        for (const l of listeners.current) l(e.action, e.record)
      })
      .then((u) => {
        if (cancelled) u()
        else {
          unsub = u
          setLive(true)
          // Counted once the subscription is in place, so that nothing
          // created between the count and the subscription is missed.
          refresh()
        }
      })
      .catch(() => {
        setLive(false)
        refresh()
      })
    return () => {
      cancelled = true
      setLive(false)
      unsub?.().catch(() => {})
    }
  }, [userId, refresh, toast])

  const listen = useCallback((l: Listener) => {
    listeners.current.add(l)
    return () => {
      listeners.current.delete(l)
    }
  }, [])

  return <NotificationsContext.Provider value={{ unread, refresh, listen, live }}>{children}</NotificationsContext.Provider>
}

export function useNotifications(): Ctx {
  return useContext(NotificationsContext)
}
