import { afterEach, describe, expect, it, vi } from 'vitest'
import { act, cleanup, fireEvent, render } from '@testing-library/react'
import { ICON_NAMES, Icon, Table, moveRow, nextSort, sortRows, useListState, type Column } from '../ds'
import Palette, { rankHits, type Hit } from '../components/Palette'
import { isPaletteKey } from '../pages/Shell'
import { headline, layerScopes, layerURL } from '../pages/attack/Matrix'
import { trendSeries, withCurrent, type Snapshot } from '../pages/reports/Reports'

afterEach(() => {
  cleanup()
  window.history.replaceState(null, '', '/')
})

type Row = { id: string; name: string; score: number }
const rows: Row[] = [
  { id: 'a', name: 'Beta', score: 10 },
  { id: 'b', name: 'alpha', score: 30 },
  { id: 'c', name: 'Gamma 10', score: 20 },
  { id: 'd', name: 'Gamma 9', score: 20 },
]
const cols: Column<Row>[] = [
  { key: 'name', header: 'Name', render: (r) => r.name, value: (r) => r.name },
  { key: 'score', header: 'Score', render: (r) => String(r.score), value: (r) => r.score },
]

describe('Icon', () => {
  it('draws every icon as SVG, hidden unless labelled', () => {
    const r = render(
      <>
        {ICON_NAMES.map((n) => (
          <Icon key={n} name={n} />
        ))}
        <Icon name="download" label="Download" />
      </>,
    )
    const svgs = r.container.querySelectorAll('svg')
    expect(svgs).toHaveLength(ICON_NAMES.length + 1)
    for (const s of [...svgs].slice(0, -1)) expect(s.getAttribute('aria-hidden')).toBe('true')
    expect(r.getByRole('img', { name: 'Download' })).toBeTruthy()
    expect(r.container.textContent).toBe('')
  })
})

describe('table sorting', () => {
  it('cycles ascending then descending', () => {
    expect(nextSort('', 'name')).toBe('name')
    expect(nextSort('name', 'name')).toBe('-name')
    expect(nextSort('-name', 'name')).toBe('name')
    expect(nextSort('-score', 'name')).toBe('name')
  })
  it('sorts on the client, case-insensitive and numeric-aware', () => {
    expect(sortRows(rows, cols, 'name').map((r) => r.name)).toEqual(['alpha', 'Beta', 'Gamma 9', 'Gamma 10'])
    expect(sortRows(rows, cols, '-score').map((r) => r.id)).toEqual(['b', 'c', 'd', 'a'])
    expect(sortRows(rows, cols, 'unknown')).toBe(rows)
  })
  it('sorts by clicking headers and says so with aria-sort', () => {
    const r = render(<Table columns={cols} rows={rows} rowKey={(x) => x.id} />)
    const th = () => r.getAllByRole('columnheader')
    expect(th().map((h) => h.getAttribute('aria-sort'))).toEqual(['none', 'none'])
    fireEvent.click(r.getByRole('button', { name: 'Score' }))
    expect(th()[1]!.getAttribute('aria-sort')).toBe('ascending')
    expect(r.getAllByRole('row').slice(1).map((x) => x.textContent)).toEqual(['Beta10', 'Gamma 1020', 'Gamma 920', 'alpha30'])
    fireEvent.click(r.getByRole('button', { name: 'Score' }))
    expect(th()[1]!.getAttribute('aria-sort')).toBe('descending')
    expect(r.getAllByRole('row')[1]!.textContent).toBe('alpha30')
  })
  it('hands the sort to the server with onSort and columns with a sort field', () => {
    const onSort = vi.fn()
    const r = render(
      <Table columns={[{ ...cols[0]!, sort: 'title', value: undefined }, { ...cols[1]!, value: undefined }]} rows={rows} rowKey={(x) => x.id} sort="-title" onSort={onSort} />,
    )
    expect(r.getAllByRole('columnheader')[0]!.getAttribute('aria-sort')).toBe('descending')
    expect(r.queryByRole('button', { name: 'Score' })).toBeNull()
    fireEvent.click(r.getByRole('button', { name: 'Name' }))
    expect(onSort).toHaveBeenCalledWith('title')
    expect(r.getAllByRole('row')[1]!.textContent).toBe('Beta10')
  })
})

describe('rows as links and the keyboard', () => {
  it('makes each row one real link to its page', () => {
    const r = render(<Table columns={cols} rows={rows} rowKey={(x) => x.id} rowHref={(x) => `/things/${x.id}`} />)
    const links = r.getAllByRole('link')
    expect(links.map((a) => a.getAttribute('href'))).toEqual(['/things/a', '/things/b', '/things/c', '/things/d'])
    expect(links[0]!.className).toBe('row-link')
    fireEvent.click(links[1]!)
    expect(window.location.pathname).toBe('/things/b')
  })
  it('keeps a selection checkbox out of the row link', () => {
    const select = { key: 'sel', header: '', control: true, render: (x: (typeof rows)[number]) => <input type="checkbox" aria-label={`Select ${x.id}`} /> }
    const r = render(<Table columns={[select, ...cols]} rows={rows} rowKey={(x) => x.id} rowHref={(x) => `/things/${x.id}`} />)
    const box = r.getByLabelText('Select a')
    expect(box.closest('a')).toBeNull()
    expect(r.getAllByRole('link')[0]!.closest('td')!.cellIndex).toBe(1)
  })
  it('moves with j and k, not while typing', () => {
    const r = render(
      <>
        <input aria-label="Search" />
        <Table columns={cols} rows={rows} rowKey={(x) => x.id} rowHref={(x) => `/things/${x.id}`} />
      </>,
    )
    const links = r.getAllByRole('link')
    fireEvent.keyDown(document.body, { key: 'j' })
    expect(document.activeElement).toBe(links[0])
    fireEvent.keyDown(document.body, { key: 'j' })
    fireEvent.keyDown(document.body, { key: 'j' })
    expect(document.activeElement).toBe(links[2])
    fireEvent.keyDown(document.body, { key: 'k' })
    expect(document.activeElement).toBe(links[1])
    const input = r.getByLabelText('Search')
    input.focus()
    fireEvent.keyDown(input, { key: 'j' })
    expect(document.activeElement).toBe(input)
  })
  it('gives rows that open a dialog a Tab stop and Enter', () => {
    const onRow = vi.fn()
    const r = render(<Table columns={cols} rows={rows} rowKey={(x) => x.id} onRowClick={onRow} />)
    const tr = r.getAllByRole('row')[2]!
    expect(tr.tabIndex).toBe(0)
    fireEvent.keyDown(tr, { key: 'Enter' })
    expect(onRow).toHaveBeenCalledWith(rows[1])
    const table = r.container.querySelector('table')!
    expect(moveRow(table, -1)).toBe(r.getAllByRole('row')[4])
  })
})

describe('useListState', () => {
  function Probe() {
    const s = useListState({ sort: 'name' })
    return (
      <div>
        <span data-testid="state">{`${s.page}|${s.sort}`}</span>
        <button onClick={() => s.setPage(3)}>page</button>
        <button onClick={() => s.setSort('-updated')}>sort</button>
        <button onClick={() => s.setFilter({ q: 'x' })}>filter</button>
      </div>
    )
  }
  it('keeps page, sort and filters in the URL', () => {
    window.history.replaceState(null, '', '/rules?page=2')
    const r = render(<Probe />)
    expect(r.getByTestId('state').textContent).toBe('2|name')
    act(() => r.getByText('page').click())
    expect(window.location.search).toBe('?page=3')
    act(() => r.getByText('sort').click())
    expect(window.location.search).toBe('?sort=-updated')
    expect(r.getByTestId('state').textContent).toBe('1|-updated')
    act(() => r.getByText('page').click())
    act(() => r.getByText('filter').click())
    expect(window.location.search).toBe('?sort=-updated&q=x')
  })
})

describe('command palette', () => {
  const hits: Hit[] = [
    { kind: 'Technique', id: 't1', ref: 'T1059.001', label: 'PowerShell', href: '/techniques/T1059.001' },
    { kind: 'Technique', id: 't2', ref: 'T1059', label: 'Command and Scripting Interpreter', href: '/techniques/T1059' },
    { kind: 'Actor', id: 'g1', ref: 'G0016', label: 'APT29', href: '/actors/g1' },
  ]
  it('ranks exact ids first', () => {
    expect(rankHits('t1059', hits).map((h) => h.id)).toEqual(['t2', 't1', 'g1'])
    expect(rankHits('apt29', hits)[0]!.id).toBe('g1')
  })
  it('opens with Ctrl-K or Cmd-K only', () => {
    expect(isPaletteKey({ key: 'k', ctrlKey: true, metaKey: false })).toBe(true)
    expect(isPaletteKey({ key: 'K', ctrlKey: false, metaKey: true })).toBe(true)
    expect(isPaletteKey({ key: 'k', ctrlKey: false, metaKey: false })).toBe(false)
    expect(isPaletteKey({ key: 'k', ctrlKey: true, metaKey: false, shiftKey: true })).toBe(false)
  })
  it('searches as you type, moves with the arrows and opens with Enter', async () => {
    vi.useFakeTimers()
    const search = vi.fn(async () => hits)
    const onClose = vi.fn()
    const r = render(<Palette onClose={onClose} search={search} />)
    const input = r.getByRole('combobox')
    expect(document.activeElement).toBe(input)
    fireEvent.change(input, { target: { value: 'T1059' } })
    await act(async () => {
      await vi.advanceTimersByTimeAsync(200)
    })
    expect(search).toHaveBeenCalledWith('T1059')
    expect(r.getAllByRole('option')).toHaveLength(3)
    fireEvent.keyDown(input, { key: 'ArrowDown' })
    expect(r.getAllByRole('option')[1]!.getAttribute('aria-selected')).toBe('true')
    fireEvent.keyDown(input, { key: 'Enter' })
    expect(onClose).toHaveBeenCalled()
    expect(window.location.pathname).toBe('/techniques/T1059')
    vi.useRealTimers()
  })
})

describe('matrix helpers', () => {
  it('says what the headline averages', () => {
    expect(headline({ score: 74.6, in_scope: 42, scope: 'in-scope techniques used by APT29 (G0016)' })).toEqual({ score: 75, text: 'the mean of 42 in-scope techniques used by APT29 (G0016)' })
    expect(headline({ score: 0, in_scope: 1216, scope: 'all in-scope techniques' })!.text).toBe('the mean of 1,216 in-scope techniques')
    expect(headline(null)).toBeNull()
  })
  it('offers the Navigator layer scopes of the current filters', () => {
    const s = layerScopes({ actor: { id: 'r1', attack_id: 'G0016', name: 'APT29' }, campaign: { id: 'c1', name: 'Q3' }, platform: 'Windows' })
    expect(s.map((x) => x.value)).toEqual(['campaign:c1', 'actor:G0016', 'coverage'])
    expect(s[1]!.label).toBe('Actor APT29 on Windows')
    expect(layerScopes({}).map((x) => x.value)).toEqual(['coverage'])
    expect(layerURL('actor:G0016', 'enterprise-attack', 'Windows')).toBe('/api/aegis/export/navigator?scope=actor%3AG0016&domain=enterprise-attack&platform=Windows')
  })
})

describe('trend from the first day', () => {
  const snap = (id: string, at: string, score: number): Snapshot => ({ id, taken_at: at, trigger: 'import', totals: { score, level: 'low', validated: 0, in_scope: 10 }, by_tactic: [] })
  it('adds the coverage now after the snapshots', () => {
    const now = snap('', '2026-12-06T10:00:00Z', 12)
    expect(withCurrent([], now).map((p) => p.id)).toEqual(['now'])
    expect(withCurrent([snap('s1', '2026-12-01T05:00:00Z', 10)], now).map((p) => p.id)).toEqual(['s1', 'now'])
    expect(withCurrent([snap('s1', '2026-12-06T05:00:00Z', 12)], now).map((p) => p.id)).toEqual(['s1'])
    expect(withCurrent([snap('s1', '2026-12-01T05:00:00Z', 10)], undefined)).toHaveLength(1)
    expect(trendSeries(withCurrent([snap('s1', '2026-12-01T05:00:00Z', 10)], now)).labels).toEqual(['12-01', 'now'])
  })
})

describe('first run', () => {
  it('offers a way forward when the setup state cannot be read', async () => {
    const { SetupPage } = await import('../pages/Setup')
    const answers = [
      new Response(JSON.stringify({ status: 429, message: 'Too Many Requests.', data: {} }), { status: 429, headers: { 'Content-Type': 'application/json' } }),
      new Response(JSON.stringify({ needed: true, minPasswordLength: 10 }), { status: 200, headers: { 'Content-Type': 'application/json' } }),
    ]
    const fetchMock = vi.fn(async () => answers.shift()!)
    vi.stubGlobal('fetch', fetchMock)
    try {
      const r = render(<SetupPage />)
      await r.findByTestId('setup-error')
      expect(r.getByText(/wait a few seconds/)).toBeTruthy()
      expect(r.getByRole('button', { name: 'Go to sign in' })).toBeTruthy()
      fireEvent.click(r.getByRole('button', { name: /Try again/ }))
      await r.findByRole('button', { name: 'Create administrator' })
      expect(fetchMock).toHaveBeenCalledTimes(2)
      expect(r.queryByTestId('setup-error')).toBeNull()
    } finally {
      vi.unstubAllGlobals()
    }
  })
})
