import { describe, expect, it } from 'vitest'
import { can, roleLabel, roleTone, ROLES, type Capability } from '../lib/roles'
import { NAV } from '../routes'
import { visibleItems } from '../pages/Shell'

describe('can', () => {
  const table: [Capability, string[]][] = [
    ['manage_users', ['admin']],
    ['manage_integrations', ['admin']],
    ['plan_campaigns', ['admin', 'red_lead']],
    ['execute_tests', ['admin', 'red_lead', 'red_operator']],
    ['record_outcomes', ['admin', 'blue_lead', 'blue_analyst']],
    ['manage_scope', ['admin', 'blue_lead']],
    ['manage_findings', ['admin', 'red_lead', 'blue_lead']],
    ['reveal_tests', ['admin', 'red_lead']],
    ['export', [...ROLES]],
  ]
  for (const [cap, allowed] of table)
    for (const role of ROLES)
      it(`${role} ${allowed.includes(role) ? 'may' : 'may not'} ${cap}`, () => {
        expect(can(role, cap)).toBe(allowed.includes(role))
      })
  it('denies unknown or missing roles', () => {
    expect(can(undefined, 'export')).toBe(false)
    expect(can('root', 'manage_users')).toBe(false)
  })
  it('labels and colours roles by team', () => {
    expect(roleLabel('blue_analyst')).toBe('Blue analyst')
    expect(roleTone('red_operator')).toBe('red')
    expect(roleTone('blue_lead')).toBe('blue')
    expect(roleTone('viewer')).toBe('primary')
  })
})

describe('navigation by role', () => {
  const all = NAV.flatMap((g) => g.items)
  it('lists every page of the design once', () => {
    const paths = all.map((i) => i.path)
    expect(new Set(paths).size).toBe(paths.length)
    for (const p of ['/', '/matrix', '/board', '/tests', '/campaigns', '/campaigns/new', '/actors', '/rules', '/library', '/findings', '/tools', '/d3fend', '/compliance', '/compliance/gaps', '/reports', '/attack/releases', '/integrations', '/users', '/audit', '/notifications', '/settings'])
      expect(paths).toContain(p)
  })
  it('hides admin pages from other roles', () => {
    const admin = NAV.flatMap((g) => visibleItems('admin', g.items)).map((i) => i.path)
    const viewer = NAV.flatMap((g) => visibleItems('viewer', g.items)).map((i) => i.path)
    expect(admin).toContain('/integrations')
    expect(admin).toContain('/settings')
    expect(viewer).not.toContain('/integrations')
    expect(viewer).not.toContain('/settings')
    expect(viewer).toContain('/users')
    expect(viewer).toContain('/audit')
  })
})

import { sectionFor } from '../pages/Shell'
describe('sectionFor', () => {
  it('titles detail pages after their list', () => {
    expect(sectionFor('/techniques/T1059')?.title).toBe('ATT&CK matrix')
    expect(sectionFor('/campaigns/abc')?.title).toBe('Campaigns')
    expect(sectionFor('/nowhere/x')).toBeUndefined()
  })
})
