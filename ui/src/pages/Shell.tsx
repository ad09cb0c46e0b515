import { lazy, Suspense, useEffect, useRef, useState, type ReactNode } from 'react'
import { Link, useLocation, navigate } from '../lib/router'
import { ALL_PAGES, NAV, pageFor, type NavItem } from '../routes'
import { useAuth, logout } from '../lib/auth'
import { can, roleLabel, roleTone } from '../lib/roles'
import { useNotifications } from '../lib/notifications'
import { Badge, Icon } from '../ds'
import { Logo } from './Logo'

// The application layout: grouped navigation filtered by role, a top bar
// with the page title, the live notification bell and the user menu.

export function visibleItems(role: string, items: NavItem[]): NavItem[] {
  return items.filter((i) => !i.hidden && (!i.requires || can(role, i.requires)))
}

// Detail pages take the title of the list they belong to.
const SECTIONS: Record<string, string> = { techniques: '/matrix', tests: '/tests', actors: '/actors', campaigns: '/campaigns', rules: '/rules' }
export function sectionFor(path: string): NavItem | undefined {
  const first = path.split('/')[1] ?? ''
  const list = SECTIONS[first]
  return list ? ALL_PAGES.find((p) => p.path === list) : undefined
}

const Palette = lazy(() => import('../components/Palette'))

/** isPaletteKey is Ctrl-K, or Cmd-K on a Mac. */
export function isPaletteKey(e: { key: string; ctrlKey: boolean; metaKey: boolean; altKey?: boolean; shiftKey?: boolean }) {
  return (e.ctrlKey || e.metaKey) && !e.altKey && !e.shiftKey && e.key.toLowerCase() === 'k'
}

export function Shell({ children }: { children: ReactNode }) {
  const [palette, setPalette] = useState(false)
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (isPaletteKey(e)) {
        e.preventDefault()
        setPalette((p) => !p)
      }
    }
    document.addEventListener('keydown', onKey)
    return () => document.removeEventListener('keydown', onKey)
  }, [])
  const user = useAuth()
  const { path } = useLocation()
  const role = user?.role ?? ''
  const current = pageFor(path) ?? sectionFor(path)
  useEffect(() => {
    document.title = (current ? current.title + ' · ' : '') + 'Aegis'
  }, [current])
  const active = (p: string) => (p === '/' ? path === '/' : path === p || path.startsWith(p + '/'))

  return (
    <div className="shell">
      <aside className="sidebar" aria-label="Main navigation">
        <Link to="/" className="brand">
          <Logo />
          Aegis
        </Link>
        {NAV.map((g) => {
          const items = visibleItems(role, g.items)
          if (!items.length) return null
          return (
            <nav key={g.title} className="nav-group" aria-label={g.title}>
              <h4>{g.title}</h4>
              {items.map((i) => (
                <Link key={i.path} to={i.path} className={'nav-link' + (active(i.path) && !(i.path === '/compliance' && path === '/compliance/gaps') ? ' active' : '')}>
                  <span>{i.title}</span>
                </Link>
              ))}
            </nav>
          )
        })}
      </aside>
      <div className="main">
        <header className="topbar">
          <div className="grow muted small">{current?.title ?? ''}</div>
          <button className="btn ghost palette-open" onClick={() => setPalette(true)} aria-keyshortcuts="Control+K Meta+K" data-testid="palette-open">
            <Icon name="search" /> <span>Go to…</span> <kbd>Ctrl K</kbd>
          </button>
          <Bell />
          <UserMenu name={user?.name || user?.email || 'Signed in'} role={role} />
        </header>
        <main className="content">{children}</main>
      </div>
      {palette && (
        <Suspense fallback={null}>
          <Palette onClose={() => setPalette(false)} />
        </Suspense>
      )}
    </div>
  )
}

function Bell() {
  const { unread, live } = useNotifications()
  return (
    <Link to="/notifications" className="btn ghost bell" aria-label={`Notifications: ${unread} unread`} title={live ? 'Live' : 'Connecting…'} data-testid="bell">
      <svg width="18" height="18" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2" aria-hidden>
        <path d="M18 8a6 6 0 1 0-12 0c0 7-3 9-3 9h18s-3-2-3-9M13.7 21a2 2 0 0 1-3.4 0" />
      </svg>
      {unread > 0 && (
        <span className="count" data-testid="bell-count">
          {unread > 99 ? '99+' : unread}
        </span>
      )}
    </Link>
  )
}

function UserMenu({ name, role }: { name: string; role: string }) {
  const [open, setOpen] = useState(false)
  const ref = useRef<HTMLDivElement>(null)
  useEffect(() => {
    const close = (e: MouseEvent) => ref.current && !ref.current.contains(e.target as Node) && setOpen(false)
    document.addEventListener('mousedown', close)
    return () => document.removeEventListener('mousedown', close)
  }, [])
  const initials = name
    .split(/[\s@.]+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((s) => s[0]!.toUpperCase())
    .join('')
  return (
    <div className="relative" ref={ref}>
      <button className="btn ghost" onClick={() => setOpen((o) => !o)} aria-haspopup="menu" aria-expanded={open} data-testid="user-menu">
        <span className="avatar">{initials}</span>
        <span className="text-left lh-tight">
          <span className="d-block">{name}</span>
          <span className="faint small" data-testid="current-role">
            {roleLabel(role)}
          </span>
        </span>
      </button>
      {open && (
        <div className="menu" role="menu">
          <div className="menu-head">
            <Badge tone={roleTone(role)}>{roleLabel(role)}</Badge>
          </div>
          <Link to="/notifications" onClick={() => setOpen(false)}>
            Notifications
          </Link>
          <Link to="/api-docs" onClick={() => setOpen(false)}>
            API docs
          </Link>
          <a href="/_/" target="_blank" rel="noreferrer">
            PocketBase dashboard <Icon name="external" size={12} />
          </a>
          <button
            role="menuitem"
            onClick={() => {
              logout()
              navigate('/login')
            }}
          >
            Sign out
          </button>
        </div>
      )}
    </div>
  )
}
