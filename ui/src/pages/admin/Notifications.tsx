import { useEffect } from 'react'
import { api, pb, errorMessage } from '../../lib/pb'
import { hasMore, useLoad } from '../../lib/data'
import { useAuth } from '../../lib/auth'
import { useNotifications, type Notification } from '../../lib/notifications'
import { formatDate, humanize, relativeTime } from '../../lib/format'
import { Link, useLocation } from '../../lib/router'
import { Badge, Button, Card, EmptyState, Icon, ListError, PageHead, Pagination, Select, Spinner, Tabs, useListState, useToast } from '../../ds'

const PER_PAGE = 25

export default function NotificationsPage() {
  const me = useAuth()
  const { listen, refresh, unread, live } = useNotifications()
  // The tab, order and page live in the URL (?tab=unread&sort=created&page=2).
  const { query } = useLocation()
  const { page, sort, setPage, setSort, setFilter } = useListState({ sort: '-created' })
  const tab = query.get('tab') === 'unread' ? 'unread' : 'all'
  const toast = useToast()
  const filter = pb.filter('user = {:u}' + (tab === 'unread' ? ' && read = false' : ''), { u: me?.id ?? '' })
  const list = useLoad(() => pb.collection('notifications').getList<Notification>(page, PER_PAGE, { sort: sort === 'created' ? 'created,id' : '-created,-id', filter, skipTotal: true }), [page, filter, sort])

  // Live: new notifications appear at the top, read flags update in place.
  // An event that arrives while the page is loading is applied again to the
  // answer (which may predate it) by loading once more.
  const setList = list.set
  const changed = list.changed
  useEffect(
    () =>
      listen((action, n) => {
        changed()
        setList((cur) => {
          if (!cur) return cur
          if (action === 'create' && page === 1 && sort !== 'created' && (tab === 'all' || !n.read)) return { ...cur, items: [n, ...cur.items.filter((x) => x.id !== n.id)] }
          if (action === 'update') return { ...cur, items: cur.items.map((x) => (x.id === n.id ? n : x)) }
          if (action === 'delete') return { ...cur, items: cur.items.filter((x) => x.id !== n.id) }
          return cur
        })
      }),
    [listen, setList, changed, page, tab, sort],
  )

  const markRead = async (n: Notification, read = true) => {
    try {
      await pb.collection('notifications').update(n.id, { read })
      setList((cur) => cur && { ...cur, items: cur.items.map((x) => (x.id === n.id ? { ...x, read } : x)) })
      refresh()
    } catch (err) {
      toast.push({ title: 'Could not update', body: errorMessage(err), tone: 'error' })
    }
  }
  const markAll = async () => {
    try {
      await api('/api/aegis/notifications/read-all', { method: 'POST', body: {} })
      refresh()
      list.reload()
    } catch (err) {
      toast.push({ title: 'Could not mark all read', body: errorMessage(err), tone: 'error' })
    }
  }

  const rows = list.data?.items ?? []
  return (
    <div className="stack">
      <PageHead
        title="Notifications"
        subtitle={
          <span className="row">
            Assignments, reviews, findings and job results for you.
            <Badge tone={live ? 'success' : 'default'}>{live ? '● Live' : 'Connecting…'}</Badge>
          </span>
        }
        actions={
          <>
            <Select
              aria-label="Order"
              options={[
                { value: '-created', label: 'Newest first' },
                { value: 'created', label: 'Oldest first' },
              ]}
              value={sort === 'created' ? 'created' : '-created'}
              onChange={(e) => setSort(e.target.value)}
            />
            <Button onClick={markAll} disabled={unread === 0}>
              Mark all read
            </Button>
          </>
        }
      />
      <Card flush>
        <div className="pad-x">
          <Tabs
            tabs={[
              { id: 'all', label: 'All' },
              { id: 'unread', label: `Unread (${unread})` },
            ]}
            value={tab}
            onChange={(t) => setFilter({ tab: t === 'unread' ? t : null })}
          />
        </div>
        <ListError error={list.error} />
        {list.loading && rows.length === 0 && <Spinner />}
        {!list.loading && rows.length === 0 && !list.error && (
          <EmptyState icon={<Icon name="bell" size={28} />} title={tab === 'unread' ? 'All caught up' : 'No notifications yet'}>
            New ones appear here live.
          </EmptyState>
        )}
        <ul className="bare-list" data-testid="notification-list">
          {rows.map((n) => (
            <li key={n.id} className={n.read ? 'note-item' : 'note-item unread'} data-testid="notification">
              <div className="row between">
                <div className="row nowrap top">
                  <span aria-hidden className="note-dot" />
                  <div>
                    <div className="note-title">{n.link ? (
                        <Link to={n.link} onClick={() => !n.read && markRead(n)}>
                          {n.title}
                        </Link>
                      ) : (
                        n.title
                      )}</div>
                    {n.body && <div className="muted">{n.body}</div>}
                    <div className="faint small" title={formatDate(n.created)}>
                      {n.kind && <Badge tone="outline">{humanize(n.kind)}</Badge>} {relativeTime(n.created)}
                    </div>
                  </div>
                </div>
                <Button size="small" variant="ghost" onClick={() => markRead(n, !n.read)}>
                  {n.read ? 'Mark unread' : 'Mark read'}
                </Button>
              </div>
            </li>
          ))}
        </ul>
        <Pagination page={page} perPage={PER_PAGE} count={rows.length} hasMore={hasMore(rows.length, PER_PAGE)} onPage={setPage} />
      </Card>
    </div>
  )
}
