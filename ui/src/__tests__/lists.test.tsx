import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { act, cleanup, fireEvent, render, waitFor } from '@testing-library/react'
import TestsPage, { searchFilter, testSort, totalSource } from '../pages/work/Tests'
import { keysetFilter, parseCursor, reverseSort } from '../lib/cursor'
import CompliancePage from '../pages/defence/Compliance'
import AuditPage, { auditSort } from '../pages/admin/Audit'
import CampaignsPage from '../pages/work/Campaigns'
import { reportFileName, reportQuery } from '../pages/reports/Reports'

// The lists keep their filters, sort and page in the URL: these tests start a
// page at a URL, check what it asks the server for, then use the page and
// check the URL it leaves behind. The server is a fetch that answers
// PocketBase list requests from fixed records and notes every request.

type Rec = Record<string, unknown> & { id: string }
let calls: URL[] = []

function serve(data: Record<string, { items: Rec[]; total?: number }>) {
  calls = []
  vi.stubGlobal(
    'fetch',
    vi.fn(async (input: RequestInfo | URL) => {
      const url = new URL(String(input), window.location.origin)
      calls.push(url)
      const json = (body: unknown) => new Response(JSON.stringify(body), { status: 200, headers: { 'Content-Type': 'application/json' } })
      if (url.pathname === '/api/aegis/tests/total') return json({ total: data.tests?.total ?? data.tests?.items.length ?? 0, exact: true })
      const m = /^\/api\/collections\/([^/]+)\/records(?:\/([^/]+))?$/.exec(url.pathname)
      const set = m ? data[m[1]!] : undefined
      if (!m || !set) return json({ page: 1, perPage: 30, totalItems: -1, totalPages: -1, items: [] })
      if (m[2]) return json(set.items.find((x) => x.id === m[2]) ?? {})
      const perPage = Number(url.searchParams.get('perPage') ?? 30)
      const total = url.searchParams.get('skipTotal') ? -1 : (set.total ?? set.items.length)
      return json({ page: Number(url.searchParams.get('page') ?? 1), perPage, totalItems: total, totalPages: total < 0 ? -1 : Math.ceil(total / perPage), items: set.items })
    }),
  )
}

/** lastList is the newest list request of a collection. */
const lastList = (collection: string) => [...calls].reverse().find((u) => u.pathname === `/api/collections/${collection}/records` && !['1000', '500', '200', '1'].includes(u.searchParams.get('perPage') ?? ''))

beforeEach(() => calls.splice(0))
afterEach(() => {
  cleanup()
  vi.unstubAllGlobals()
  window.history.replaceState(null, '', '/')
})

describe('server sort with ties broken', () => {
  it('sorts tests by the column, then newest change and id', () => {
    expect(testSort('')).toBe('-updated,-id')
    expect(testSort('-updated')).toBe('-updated,-id')
    expect(testSort('updated')).toBe('updated,id')
    expect(testSort('-state')).toBe('-state,-updated,-id')
    expect(testSort('technique.attack_id')).toBe('technique.attack_id,-updated,id')
  })
  it('sorts the audit log by the column, then time and id in the same direction', () => {
    expect(auditSort('-created')).toBe('-created,-id')
    expect(auditSort('created')).toBe('created,id')
    expect(auditSort('action')).toBe('action,created,id')
    expect(auditSort('-actor_name')).toBe('-actor_name,-created,-id')
  })
  it('searches by technique id once the matching techniques are known', () => {
    expect(searchFilter('Voice', ['k1'])).toBe("(name ~ 'Voice' || technique = 'k1')")
    expect(searchFilter('zz', [])).toBe("(name ~ 'zz')")
    expect(searchFilter('T1', null)).toBe("(name ~ 'T1' || technique.attack_id ~ 'T1' || technique.name ~ 'T1')")
    expect(searchFilter('T1', Array.from({ length: 51 }, (_, i) => `k${i}`))).toContain('technique.name ~')
  })
  it('counts with the kept total unless a filter needs another count', () => {
    const none = { state: '', waiting: false, technique: '', campaign: '', red: '', blue: '', q: '' }
    expect(totalSource(none)).toBe('kept')
    expect(totalSource({ ...none, state: 'ready' })).toBe('kept')
    expect(totalSource({ ...none, campaign: 'c1' })).toBe('count')
    expect(totalSource({ ...none, waiting: true })).toBe('count')
    expect(totalSource({ ...none, state: 'ready', q: 'x' })).toBe('none')
  })
})

describe('keyset cursors', () => {
  it('enters the index at the cursor and breaks ties on the next keys', () => {
    expect(keysetFilter(['-updated', '-id'], ['2026-01-01 00:00:00.000Z', 'abc'], 'after')).toBe(
      "updated <= '2026-01-01 00:00:00.000Z' && (updated < '2026-01-01 00:00:00.000Z' || (updated = '2026-01-01 00:00:00.000Z' && id < 'abc'))",
    )
    expect(keysetFilter(['-updated', '-id'], ['u', 'abc'], 'before')).toBe("updated >= 'u' && (updated > 'u' || (updated = 'u' && id > 'abc'))")
    expect(keysetFilter(['actor_name', 'created', 'id'], ["O'Neil", 'c', 'i'], 'after')).toBe(
      "actor_name >= 'O\\'Neil' && (actor_name > 'O\\'Neil' || (actor_name = 'O\\'Neil' && (created > 'c' || (created = 'c' && id > 'i'))))",
    )
    expect(reverseSort(['-updated', '-id'])).toBe('updated,id')
  })
  it('ignores a malformed cursor', () => {
    expect(parseCursor('["a","b"]', 2)).toEqual(['a', 'b'])
    expect(parseCursor('["a"]', 2)).toBeNull()
    expect(parseCursor('{', 2)).toBeNull()
    expect(parseCursor('[1,2]', 2)).toBeNull()
  })
})

describe('tests list state in the URL', () => {
  const tests = Array.from({ length: 3 }, (_, i) => ({ id: `t${i}`, name: `Test ${i}`, state: 'blue_review', technique: '', campaign: '', updated: '2026-12-01 10:00:00.000Z' }))
  it('asks the server for the filters, sort and page of the URL, and shows the total', async () => {
    serve({ tests: { items: tests, total: 60 } })
    window.history.replaceState(null, '', '/tests?state=blue_review&sort=name&page=2')
    const r = render(<TestsPage />)
    await r.findByText('Test 0')
    const req = lastList('tests')!
    expect(req.searchParams.get('page')).toBe('2')
    expect(req.searchParams.get('sort')).toBe('name,-updated,id')
    expect(req.searchParams.get('skipTotal')).toBeTruthy()
    expect(req.searchParams.get('filter')).toContain("state = 'blue_review'")
    expect(calls.some((u) => u.pathname === '/api/aegis/tests/total' && u.searchParams.get('state') === 'blue_review')).toBe(true)
    await waitFor(() => expect(r.getByRole('navigation', { name: 'Pagination' }).textContent).toContain('of 60'))
    expect(r.container.querySelector('a.row-link')?.getAttribute('href')).toBe('/tests/t0')
    expect(r.getByRole('columnheader', { name: /Test/ }).getAttribute('aria-sort')).toBe('ascending')
    expect(r.getByRole('navigation', { name: 'Pagination' }).textContent).toContain('26–28 of 60')
    expect(r.getByRole('navigation', { name: 'Pagination' }).textContent).toContain('Page 2 of 3')
  })
  it('sorts on a header click and resets the page when a filter changes', async () => {
    serve({ tests: { items: tests, total: 3 } })
    window.history.replaceState(null, '', '/tests?page=2')
    const r = render(<TestsPage />)
    await r.findByText('Test 0')
    fireEvent.click(r.getByRole('button', { name: 'Technique' }))
    expect(window.location.search).toBe('?sort=technique.attack_id')
    await waitFor(() => expect(lastList('tests')!.searchParams.get('sort')).toBe('technique.attack_id,-updated,id'))
    fireEvent.click(r.getByRole('button', { name: 'Technique' }))
    expect(new URLSearchParams(window.location.search).get('sort')).toBe('-technique.attack_id')
    act(() => window.history.replaceState(null, '', '/tests?sort=-technique.attack_id&page=3'))
    fireEvent.change(r.getByLabelText('State'), { target: { value: 'executing' } })
    const q = new URLSearchParams(window.location.search)
    expect(q.get('state')).toBe('executing')
    expect(q.get('sort')).toBe('-technique.attack_id')
    expect(q.get('page')).toBeNull()
    fireEvent.change(r.getByLabelText('Search'), { target: { value: 'mimikatz' } })
    expect(new URLSearchParams(window.location.search).get('q')).toBe('mimikatz')
    await waitFor(() => expect(lastList('tests')!.searchParams.get('filter')).toContain("name ~ 'mimikatz'"))
  })
  it('keeps the waiting-for-blue queue oldest first, in the URL', async () => {
    serve({ tests: { items: tests } })
    window.history.replaceState(null, '', '/tests?sort=name')
    const r = render(<TestsPage />)
    await r.findByText('Test 0')
    fireEvent.click(r.getByTestId('waiting-queue'))
    expect(window.location.search).toBe('?view=waiting')
    await waitFor(() => expect(lastList('tests')!.searchParams.get('sort')).toBe('updated,id'))
    expect(lastList('tests')!.searchParams.get('filter')).toContain("blue_assignee = ''")
    expect(lastList('tests')!.searchParams.get('skipTotal')).toBeTruthy()
    expect(r.getByRole('heading', { name: 'Waiting for blue' })).toBeTruthy()
  })
})

describe('compliance controls state in the URL', () => {
  const controls = [
    { id: 'c1', framework: 'f1', control_id: 'AC-1', title: 'Policy', family: 'Access', status: 'partial', owner: '', notes: '', description: 'Write it down.' },
    { id: 'c2', framework: 'f1', control_id: 'AC-2', title: 'Accounts', family: 'Access', status: 'partial', owner: '', notes: '', description: '' },
  ]
  it('sorts on the server, counts the controls and opens one from its link', async () => {
    serve({ compliance_frameworks: { items: [{ id: 'f1', name: 'NIST', version: '5' }] }, compliance_controls: { items: controls, total: 120 }, control_mappings: { items: [] } })
    window.history.replaceState(null, '', '/compliance?framework=f1&status=partial&sort=-title')
    const r = render(<CompliancePage />)
    await r.findByText('Policy')
    const req = lastList('compliance_controls')!
    expect(req.searchParams.get('sort')).toBe('-title,control_id,id')
    expect(req.searchParams.get('filter')).toContain("status = 'partial'")
    expect(req.searchParams.get('skipTotal')).toBeNull()
    expect(r.getByRole('navigation', { name: 'Pagination' }).textContent).toContain('of 120')
    const link = r.container.querySelector('a.row-link')!
    expect(link.getAttribute('href')).toBe('/compliance?framework=f1&status=partial&sort=-title&control=c1')
    fireEvent.click(link)
    expect(new URLSearchParams(window.location.search).get('control')).toBe('c1')
    await r.findByText('Write it down.')
    fireEvent.click(r.getByRole('button', { name: 'Owner' }))
    expect(new URLSearchParams(window.location.search).get('sort')).toBe('owner.name')
  })
})

describe('audit log state in the URL', () => {
  it('sorts on the server, keeps skipTotal and shows the page without a total', async () => {
    serve({ audit_logs: { items: [{ id: 'a1', action: 'login', collection: 'users', actor_name: 'Ann', created: '2026-12-01 10:00:00.000Z', details: {} }] } })
    window.history.replaceState(null, '', '/audit?action=login')
    const r = render(<AuditPage />)
    await r.findByText('Ann')
    expect(lastList('audit_logs')!.searchParams.get('sort')).toBe('-created,-id')
    expect(lastList('audit_logs')!.searchParams.get('skipTotal')).toBeTruthy()
    // One row more than the page shows: whether a next page exists.
    expect(lastList('audit_logs')!.searchParams.get('perPage')).toBe('51')
    fireEvent.change(r.getByLabelText('Rows per page'), { target: { value: '100' } })
    expect(new URLSearchParams(window.location.search).get('per')).toBe('100')
    await waitFor(() => expect(lastList('audit_logs')!.searchParams.get('perPage')).toBe('101'))
    act(() => window.history.replaceState(null, '', '/audit?action=login'))
    expect(r.getByRole('columnheader', { name: /When/ }).getAttribute('aria-sort')).toBe('descending')
    fireEvent.click(r.getByRole('button', { name: 'Actor' }))
    expect(window.location.search).toBe('?action=login&sort=actor_name')
    await waitFor(() => expect(lastList('audit_logs')!.searchParams.get('sort')).toBe('actor_name,created,id'))
    const nav = r.getByRole('navigation', { name: 'Pagination' }).textContent ?? ''
    expect(nav).toContain('Page 1')
    expect(nav).not.toContain(' of ')
    const row = r.getByText('Ann').closest('tr')!
    fireEvent.keyDown(row, { key: 'Enter' })
    expect(row.getAttribute('aria-expanded')).toBe('true')
  })
})

describe('campaigns list state in the URL', () => {
  it('reads the status filter and sort from the URL', async () => {
    serve({ campaigns: { items: [{ id: 'k1', name: 'Round one', status: 'active' }], total: 1 } })
    window.history.replaceState(null, '', '/campaigns?status=active&sort=threat_actor.name')
    const r = render(<CampaignsPage />)
    await r.findByText('Round one')
    expect(lastList('campaigns')!.searchParams.get('sort')).toBe('threat_actor.name,-created,id')
    expect(lastList('campaigns')!.searchParams.get('filter')).toBe("status = 'active'")
    expect((r.getByLabelText('Status') as HTMLSelectElement).value).toBe('active')
    expect(r.container.querySelector('a.row-link')?.getAttribute('href')).toBe('/campaigns/k1')
  })
})

describe('executive report scope', () => {
  it('sends the matrix scope and names the file after it', () => {
    expect(reportQuery({ domain: 'enterprise-attack' })).toBe('')
    expect(reportQuery({ domain: 'ics-attack', platform: 'Windows', actor: 'a1', campaign: '' })).toBe('?domain=ics-attack&platform=Windows&actor=a1')
    expect(reportFileName({ domain: 'enterprise-attack', platform: 'Windows' }, 'G0016', 'Q4 round')).toBe('aegis-executive-report-windows-g0016-q4-round.pdf')
    expect(reportFileName({})).toBe('aegis-executive-report.pdf')
  })
})
