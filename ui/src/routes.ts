import { lazy, type ComponentType, type LazyExoticComponent } from 'react'
import type { Capability } from './lib/roles'

// The one route table: every address of the application, the page that
// renders it (loaded on demand so the first paint stays small), and for the
// pages listed in the sidebar their group, title and summary (DESIGN §9).
// The sidebar, the page titles and the role gates are all derived from it.

export type Page = ComponentType<{ params: Record<string, string> }>
const page = (f: () => Promise<{ default: Page }>): LazyExoticComponent<Page> => lazy(f)

export type AppRoute = {
  path: string
  page: LazyExoticComponent<Page>
  /** group, title and summary make a navigation entry; detail routes have none. */
  group?: string
  title?: string
  summary?: string
  requires?: Capability
  hidden?: boolean // reachable and titled, but not listed in the sidebar
}

/** Order matters: the first route whose pattern matches wins (/campaigns/new before /campaigns/:id). */
export const ROUTES: AppRoute[] = [
  // Overview
  { path: '/', group: 'Overview', title: 'Dashboard', summary: 'The headline coverage score, coverage by tactic, outcomes, freshness and recent activity.', page: page(() => import('./pages/overview/Dashboard')) },
  { path: '/matrix', group: 'Overview', title: 'ATT&CK matrix', summary: 'Tactics and techniques in matrix order with coverage levels.', page: page(() => import('./pages/attack/Matrix')) },
  { path: '/techniques/:id', page: page(() => import('./pages/attack/Technique')) },
  { path: '/reports', group: 'Overview', title: 'Trends & reports', summary: 'Snapshots over time, round comparisons and the executive report.', page: page(() => import('./pages/reports/Reports')) },
  // Validation
  { path: '/board', group: 'Validation', title: 'Workflow board', summary: 'Tests in columns by workflow state.', page: page(() => import('./pages/work/Board')) },
  { path: '/tests', group: 'Validation', title: 'Tests', summary: 'Every test with filters, search and bulk actions.', page: page(() => import('./pages/work/Tests')) },
  { path: '/tests/:id', page: page(() => import('./pages/work/TestDetail')) },
  { path: '/campaigns', group: 'Validation', title: 'Campaigns', summary: 'Plan campaigns by hand, from a threat actor or from a Navigator layer.', page: page(() => import('./pages/work/Campaigns')) },
  {
    path: '/campaigns/new',
    group: 'Validation',
    title: 'Campaign wizard',
    summary: 'Create a campaign manually, from a threat actor or from an ATT&CK Navigator layer.',
    requires: 'plan_campaigns',
    hidden: true,
    page: page(() => import('./pages/work/CampaignWizard')),
  },
  { path: '/campaigns/:id', page: page(() => import('./pages/work/Campaign')) },
  { path: '/library', group: 'Validation', title: 'Test library', summary: 'Atomic Red Team and CALDERA procedures to build tests from.', page: page(() => import('./pages/content/Library')) },
  { path: '/findings', group: 'Validation', title: 'Findings', summary: 'Remediation board for gaps found by tests.', page: page(() => import('./pages/content/Findings')) },
  // Threats
  { path: '/actors', group: 'Threats', title: 'Threat actors', summary: 'ATT&CK groups and the techniques they use.', page: page(() => import('./pages/attack/Actors')) },
  { path: '/actors/:id', page: page(() => import('./pages/attack/Actor')) },
  { path: '/attack-campaigns', group: 'Threats', title: 'ATT&CK campaigns', summary: 'ATT&CK campaigns (C0001…): techniques, software, attributed groups.', page: page(() => import('./pages/attack/AttackCampaigns')) },
  { path: '/attack-campaigns/:id', page: page(() => import('./pages/attack/AttackCampaign')) },
  { path: '/attack/releases', group: 'Threats', title: 'ATT&CK upgrades', summary: 'What changed in each ATT&CK import and which tests it affects.', page: page(() => import('./pages/attack/Releases')) },
  { path: '/intel', group: 'Threats', title: 'Threat intel', summary: 'Intel reports with their referenced techniques and actors.', page: page(() => import('./pages/defence/Intel')) },
  // Defence
  { path: '/rules', group: 'Defence', title: 'Detection rules', summary: 'Sigma and Elastic rules mapped to techniques.', page: page(() => import('./pages/content/Rules')) },
  { path: '/rules/:id', page: page(() => import('./pages/content/Rule')) },
  { path: '/tools', group: 'Defence', title: 'Defense tools', summary: 'EDR, SIEM, NDR and other tools whose outcomes tests record.', page: page(() => import('./pages/defence/Tools')) },
  { path: '/d3fend', group: 'Defence', title: 'D3FEND', summary: 'Defensive countermeasures and their implementation status.', page: page(() => import('./pages/defence/D3fend')) },
  { path: '/compliance', group: 'Defence', title: 'Compliance', summary: 'Frameworks and controls mapped to ATT&CK techniques.', page: page(() => import('./pages/defence/Compliance')) },
  { path: '/compliance/gaps', group: 'Defence', title: 'Compliance gaps', summary: 'Controls whose techniques are weakly covered or never validated.', page: page(() => import('./pages/defence/Gaps')) },
  // Administration
  { path: '/integrations', group: 'Administration', title: 'Integrations & jobs', summary: 'Sources, sync, uploads and job history.', requires: 'manage_integrations', page: page(() => import('./pages/admin/Integrations')) },
  { path: '/users', group: 'Administration', title: 'Users & roles', summary: 'Who can do what.', page: page(() => import('./pages/admin/Users')) },
  { path: '/audit', group: 'Administration', title: 'Audit log', summary: 'Every change, login and role change.', page: page(() => import('./pages/admin/Audit')) },
  { path: '/notifications', group: 'Administration', title: 'Notifications', summary: 'Your notifications.', page: page(() => import('./pages/admin/Notifications')) },
  {
    path: '/settings',
    group: 'Administration',
    title: 'Settings',
    summary: 'Scoring weights and thresholds, evidence policy, intel keywords and retention.',
    requires: 'manage_settings',
    page: page(() => import('./pages/settings/Settings')),
  },
  { path: '/api-docs', group: 'Administration', title: 'API docs', summary: 'Every /api/aegis route.', page: page(() => import('./pages/admin/ApiDocs')) },
  { path: '/me/security', group: 'Administration', title: 'My security', summary: 'Your authenticator app and sessions.', page: page(() => import('./pages/me/Security')) },
]

/** NavItem is a titled route: a sidebar entry (unless hidden) and a page title. */
export type NavItem = AppRoute & { group: string; title: string; summary: string }
export type NavGroup = { title: string; items: NavItem[] }

/** ALL_PAGES lists the titled routes in table order. */
export const ALL_PAGES: NavItem[] = ROUTES.filter((r): r is NavItem => !!(r.group && r.title))

/** NAV groups the titled routes for the sidebar, groups in order of first appearance. */
export const NAV: NavGroup[] = ALL_PAGES.reduce<NavGroup[]>((groups, item) => {
  const g = groups.find((x) => x.title === item.group)
  if (g) g.items.push(item)
  else groups.push({ title: item.group, items: [item] })
  return groups
}, [])

/** pageFor is the titled route at exactly this path. */
export function pageFor(path: string): NavItem | undefined {
  return ALL_PAGES.find((p) => p.path === path)
}
