import type { Capability } from './roles'

// Every page of DESIGN §9, grouped as a purple team works: look at coverage,
// run validation, know the threat, manage defences, administer. `ready`
// pages are built; the others show a clear "coming soon" state.

export type NavItem = {
  path: string
  title: string
  summary: string
  features?: string[]
  ready?: boolean
  requires?: Capability
  hidden?: boolean // reachable, but not listed in the sidebar
}

export type NavGroup = { title: string; items: NavItem[] }

export const NAV: NavGroup[] = [
  {
    title: 'Overview',
    items: [
      {
        path: '/',
        title: 'Dashboard',
        summary: 'The headline coverage score, coverage by tactic, outcomes, freshness and recent activity.',
        ready: true,
      },
      { path: '/matrix', title: 'ATT&CK matrix', summary: 'Tactics and techniques in matrix order with coverage levels.', ready: true },
      {
        path: '/reports',
        title: 'Trends & reports',
        summary: 'Snapshots over time, round comparisons and the executive report.',
        ready: true,
        features: ['Coverage trend per tactic', 'Compare two snapshots or campaign rounds', 'Printable executive report'],
      },
    ],
  },
  {
    title: 'Validation',
    items: [
      { path: '/board', title: 'Workflow board', summary: 'Tests in columns by workflow state.', ready: true },
      { path: '/tests', title: 'Tests', summary: 'Every test with filters, search and bulk actions.', ready: true },
      {
        path: '/campaigns',
        title: 'Campaigns',
        summary: 'Plan campaigns by hand, from a threat actor or from a Navigator layer.',
        ready: true,
      },
      {
        path: '/campaigns/new',
        title: 'Campaign wizard',
        summary: 'Create a campaign manually, from a threat actor or from an ATT&CK Navigator layer.',
        requires: 'plan_campaigns',
        hidden: true,
        ready: true,
      },
      {
        path: '/library',
        title: 'Test library',
        summary: 'Atomic Red Team and CALDERA procedures to build tests from.',
        ready: true,
        features: ['Browse by technique and platform', 'Executor, arguments and cleanup', 'Create a test from a template'],
      },
      {
        path: '/findings',
        title: 'Findings',
        summary: 'Remediation board for gaps found by tests.',
        ready: true,
        features: ['Open → in progress → resolved / risk accepted', 'Owner and due date', 'Resolved by a passing retest'],
      },
    ],
  },
  {
    title: 'Threats',
    items: [
      { path: '/actors', title: 'Threat actors', summary: 'ATT&CK groups and the techniques they use.', ready: true },
      { path: '/attack-campaigns', title: 'ATT&CK campaigns', summary: 'ATT&CK campaigns (C0001…): techniques, software, attributed groups.', ready: true },
      { path: '/attack/releases', title: 'ATT&CK upgrades', summary: 'What changed in each ATT&CK import and which tests it affects.', ready: true },
      {
        path: '/intel',
        title: 'Threat intel',
        summary: 'Intel reports with their referenced techniques and actors.',
        ready: true,
        features: ['STIX 2.1 report bundles and TAXII collections', 'New actor–technique links flagged'],
      },
    ],
  },
  {
    title: 'Defence',
    items: [
      {
        path: '/rules',
        title: 'Detection rules',
        summary: 'Sigma and Elastic rules mapped to techniques.',
        ready: true,
        features: ['Filter by source, technique, status, level, enabled', 'Raw rule content', 'Enable what your SOC runs'],
      },
      {
        path: '/tools',
        title: 'Defense tools',
        summary: 'EDR, SIEM, NDR and other tools whose outcomes tests record.',
        ready: true,
        features: ['Per-tool outcomes on tests', 'Active / inactive'],
      },
      {
        path: '/d3fend',
        title: 'D3FEND',
        summary: 'Defensive countermeasures and their implementation status.',
        ready: true,
        features: ['Status per countermeasure', 'Mapped ATT&CK techniques'],
      },
      {
        path: '/compliance',
        title: 'Compliance',
        summary: 'Frameworks and controls mapped to ATT&CK techniques.',
        ready: true,
        features: ['Control status, owner and notes', 'NIST 800-53, CIS, ISO 27001 and CSV frameworks'],
      },
      {
        path: '/compliance/gaps',
        title: 'Compliance gaps',
        summary: 'Controls whose techniques are weakly covered or never validated.',
        ready: true,
      },
    ],
  },
  {
    title: 'Administration',
    items: [
      { path: '/integrations', title: 'Integrations & jobs', summary: 'Sources, sync, uploads and job history.', ready: true, requires: 'manage_integrations' },
      { path: '/users', title: 'Users & roles', summary: 'Who can do what.', ready: true },
      { path: '/audit', title: 'Audit log', summary: 'Every change, login and role change.', ready: true },
      { path: '/notifications', title: 'Notifications', summary: 'Your notifications.', ready: true },
      {
        path: '/settings',
        title: 'Settings',
        summary: 'Scoring weights and thresholds, evidence policy, intel keywords and retention.',
        ready: true,
        requires: 'manage_settings',
        features: ['Scoring weights and decay half-life', 'Evidence size limit and allowed types', 'Retention'],
      },
      { path: '/api-docs', title: 'API docs', summary: 'Every /api/aegis route.', ready: true },
      { path: '/me/security', title: 'My security', summary: 'Your authenticator app and sessions.', ready: true },
    ],
  },
]

export const ALL_PAGES: NavItem[] = NAV.flatMap((g) => g.items)

export function pageFor(path: string): NavItem | undefined {
  return ALL_PAGES.find((p) => p.path === path)
}
