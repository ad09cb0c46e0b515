import { Suspense, useEffect, useState } from 'react'
import { EmptyState, Icon, Spinner, ToastProvider } from './ds'
import { useAuth, refreshAuth } from './lib/auth'
import { api } from './lib/pb'
import { Redirect, resolve, useLocation, Link } from './lib/router'
import { ALL_PAGES, pageFor, ROUTES } from './routes'
import { can } from './lib/roles'
import { NotificationsProvider } from './lib/notifications'
import { Shell } from './pages/Shell'
import { LoginPage } from './pages/Login'
import { SetupPage } from './pages/Setup'
import './components/mfaGuard'

const TABLE = ROUTES.map((r) => ({ path: r.path, value: r.page }))

export function App() {
  return (
    <ToastProvider>
      <Root />
    </ToastProvider>
  )
}

function Root() {
  const user = useAuth()
  const { path } = useLocation()
  const [setupNeeded, setSetupNeeded] = useState<boolean | null>(null)

  useEffect(() => {
    refreshAuth()
  }, [])

  useEffect(() => {
    if (user) return
    api<{ needed: boolean }>('/api/aegis/setup')
      .then((r) => setSetupNeeded(!!r.needed))
      .catch(() => setSetupNeeded(false))
  }, [user])

  if (path === '/setup') return <SetupPage />
  if (!user) {
    if (setupNeeded === null) return <Spinner />
    if (setupNeeded) return <Redirect to="/setup" />
    return <LoginPage />
  }
  if (path === '/login') return <Redirect to="/" />

  return (
    <NotificationsProvider userId={user.id}>
      <Shell>
        <Suspense fallback={<Spinner />}>
          <Content path={path} role={user.role} />
        </Suspense>
      </Shell>
    </NotificationsProvider>
  )
}

function Content({ path, role }: { path: string; role: string }) {
  const item = pageFor(path)
  if (item?.requires && !can(role, item.requires)) return <Forbidden />
  const hit = resolve(TABLE, path)
  if (!hit) return <NotFound />
  const P = hit.value
  return <P params={hit.params} />
}

export function Forbidden() {
  return (
    <div className="card">
      <EmptyState icon={<Icon name="lock" size={28} />} title="Not available for your role" action={<Link to="/">Back to the dashboard</Link>}>
        Ask an administrator if you need access to this page.
      </EmptyState>
    </div>
  )
}

function NotFound() {
  return (
    <div className="card">
      <EmptyState icon="?" title="Page not found" action={<Link to="/">Back to the dashboard</Link>}>
        There is no page at this address. Known pages: {ALL_PAGES.length}.
      </EmptyState>
    </div>
  )
}
