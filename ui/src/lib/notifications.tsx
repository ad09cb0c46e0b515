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

  const refresh = useCallback(() => {
    pb.collection('notifications')
      .getList(1, 1, { filter: pb.filter('user = {:u} && read = false', { u: userId }), fields: 'id' })
      .then((r) => setUnread(r.totalItems))
      .catch(() => {})
  }, [userId])

  useEffect(() => {
    refresh()
    let unsub: (() => Promise<void>) | null = null
    let cancelled = false
    pb.collection('notifications')
      .subscribe<Notification>('*', (e) => {
        if (e.record.user !== userId) return
        if (e.action === 'create' && !e.record.read) {
          setUnread((n) => n + 1)
          toast.push({ title: e.record.title, body: e.record.body })
        } else {
          refresh()
        }
        for (const l of listeners.current) l(e.action, e.record)
      })
      .then((u) => {
        if (cancelled) u()
        else {
          unsub = u
          setLive(true)
        }
      })
      .catch(() => setLive(false))
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
