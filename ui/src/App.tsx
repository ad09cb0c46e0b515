import { lazy, Suspense, useEffect, useState, type ComponentType, type LazyExoticComponent } from 'react'
import { ComingSoon, EmptyState, Icon, Spinner, ToastProvider } from './ds'
import { useAuth, refreshAuth } from './lib/auth'
import { api } from './lib/pb'
import { Redirect, resolve, useLocation, Link, type Route } from './lib/router'
import { ALL_PAGES, pageFor } from './lib/nav'
import { can } from './lib/roles'
import { NotificationsProvider } from './lib/notifications'
import { Shell } from './pages/Shell'
import { LoginPage } from './pages/Login'
import { SetupPage } from './pages/Setup'
import './components/mfaGuard'

// Pages load on demand so the first paint stays small.
type Page = ComponentType<{ params: Record<string, string> }>
const page = (f: () => Promise<{ default: Page }>): LazyExoticComponent<Page> => lazy(f)

const ROUTES: Route<LazyExoticComponent<Page>>[] = [
  { path: '/', value: page(() => import('./pages/overview/Dashboard')) },
  { path: '/matrix', value: page(() => import('./pages/attack/Matrix')) },
  { path: '/techniques/:id', value: page(() => import('./pages/attack/Technique')) },
  { path: '/actors', value: page(() => import('./pages/attack/Actors')) },
  { path: '/actors/:id', value: page(() => import('./pages/attack/Actor')) },
  { path: '/attack-campaigns', value: page(() => import('./pages/attack/AttackCampaigns')) },
  { path: '/attack-campaigns/:id', value: page(() => import('./pages/attack/AttackCampaign')) },
  { path: '/attack/releases', value: page(() => import('./pages/attack/Releases')) },
  { path: '/integrations', value: page(() => import('./pages/admin/Integrations')) },
  { path: '/users', value: page(() => import('./pages/admin/Users')) },
  { path: '/audit', value: page(() => import('./pages/admin/Audit')) },
  { path: '/notifications', value: page(() => import('./pages/admin/Notifications')) },
  { path: '/api-docs', value: page(() => import('./pages/admin/ApiDocs')) },
  { path: '/campaigns', value: page(() => import('./pages/work/Campaigns')) },
  { path: '/campaigns/new', value: page(() => import('./pages/work/CampaignWizard')) },
  { path: '/campaigns/:id', value: page(() => import('./pages/work/Campaign')) },
  { path: '/board', value: page(() => import('./pages/work/Board')) },
  { path: '/tests', value: page(() => import('./pages/work/Tests')) },
  { path: '/tests/:id', value: page(() => import('./pages/work/TestDetail')) },
  { path: '/library', value: page(() => import('./pages/content/Library')) },
  { path: '/findings', value: page(() => import('./pages/content/Findings')) },
  { path: '/rules', value: page(() => import('./pages/content/Rules')) },
  { path: '/rules/:id', value: page(() => import('./pages/content/Rule')) },
  { path: '/tools', value: page(() => import('./pages/defence/Tools')) },
  { path: '/d3fend', value: page(() => import('./pages/defence/D3fend')) },
  { path: '/compliance', value: page(() => import('./pages/defence/Compliance')) },
  { path: '/compliance/gaps', value: page(() => import('./pages/defence/Gaps')) },
  { path: '/intel', value: page(() => import('./pages/defence/Intel')) },
  { path: '/reports', value: page(() => import('./pages/reports/Reports')) },
  { path: '/settings', value: page(() => import('./pages/settings/Settings')) },
  { path: '/me/security', value: page(() => import('./pages/me/Security')) },
]

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
  const hit = resolve(ROUTES, path)
  if (hit) {
    const P = hit.value
    return <P params={hit.params} />
  }
  if (item) return <ComingSoon title={item.title} summary={item.summary} features={item.features} />
  return <NotFound />
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
