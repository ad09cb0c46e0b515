import { afterEach, describe, expect, it, vi } from 'vitest'
import { act, cleanup, fireEvent, render } from '@testing-library/react'
import { Badge, Button, EmptyState, FilterBar, LevelBadge, LevelLegend, Modal, Pagination, ProgressBar, Select, Table, Tabs, TextInput, ToastProvider, useToast } from '../ds'

afterEach(cleanup)

describe('Button', () => {
  it('clicks, and is disabled while busy', () => {
    const onClick = vi.fn()
    const r = render(
      <>
        <Button onClick={onClick}>Save</Button>
        <Button busy onClick={onClick}>
          Busy
        </Button>
      </>,
    )
    fireEvent.click(r.getByText('Save'))
    fireEvent.click(r.getByText('Busy'))
    expect(onClick).toHaveBeenCalledTimes(1)
    expect(r.getByText('Busy').closest('button')!.disabled).toBe(true)
    expect(r.getByText('Save').closest('button')!.type).toBe('button')
  })
})

describe('form fields', () => {
  it('associates labels, hints and errors', () => {
    const r = render(
      <>
        <TextInput label="Email" hint="work address" />
        <TextInput label="Password" error="too short" />
        <Select label="Role" placeholder="All" options={[{ value: 'admin', label: 'Admin' }]} defaultValue="" />
      </>,
    )
    expect(r.getByLabelText('Email').tagName).toBe('INPUT')
    expect(r.getByText('work address')).toBeTruthy()
    expect(r.getByLabelText('Password').getAttribute('aria-invalid')).toBe('true')
    const sel = r.getByLabelText('Role') as HTMLSelectElement
    expect([...sel.options].map((o) => o.textContent)).toEqual(['All', 'Admin'])
  })
})

describe('Table and Pagination', () => {
  const rows = [
    { id: 'a', name: 'Alpha' },
    { id: 'b', name: 'Beta' },
  ]
  it('renders rows and an empty state', () => {
    const onRow = vi.fn()
    const r = render(<Table columns={[{ key: 'n', header: 'Name', render: (x: { name: string }) => x.name }]} rows={rows} rowKey={(x) => x.id} onRowClick={onRow} />)
    expect(r.getAllByRole('row')).toHaveLength(3)
    fireEvent.click(r.getByText('Beta'))
    expect(onRow).toHaveBeenCalledWith(rows[1])
    cleanup()
    const e = render(<Table columns={[]} rows={[]} rowKey={() => ''} empty={<EmptyState title="Nothing" />} />)
    expect(e.getByText('Nothing')).toBeTruthy()
  })
  it('paginates with a total', () => {
    const onPage = vi.fn()
    const r = render(<Pagination page={2} perPage={20} count={20} total={45} onPage={onPage} />)
    expect(r.getByText('21–40 of 45')).toBeTruthy()
    expect(r.getByText('Page 2 of 3')).toBeTruthy()
    fireEvent.click(r.getByText('Next →'))
    fireEvent.click(r.getByText('← Previous'))
    expect(onPage.mock.calls).toEqual([[3], [1]])
  })
  it('paginates without a total (skipTotal)', () => {
    const r = render(<Pagination page={1} perPage={50} count={50} hasMore onPage={() => {}} />)
    expect(r.getByText('1–50')).toBeTruthy()
    expect((r.getByText('Next →').closest('button') as HTMLButtonElement).disabled).toBe(false)
    expect((r.getByText('← Previous').closest('button') as HTMLButtonElement).disabled).toBe(true)
    cleanup()
    const last = render(<Pagination page={3} perPage={50} count={7} hasMore={false} onPage={() => {}} />)
    expect(last.getByText('101–107')).toBeTruthy()
    expect((last.getByText('Next →').closest('button') as HTMLButtonElement).disabled).toBe(true)
  })
})

describe('feedback components', () => {
  it('shows progress, or an indeterminate bar without a total', () => {
    const r = render(<ProgressBar value={25} max={50} label="import" />)
    expect(r.getByRole('progressbar').getAttribute('aria-valuenow')).toBe('50')
    cleanup()
    const i = render(<ProgressBar value={null} label="import" />)
    expect(i.getByRole('progressbar').className).toContain('indeterminate')
    expect(i.getByRole('progressbar').getAttribute('aria-valuenow')).toBeNull()
  })
  it('colours coverage levels', () => {
    const r = render(
      <>
        <LevelBadge level="partial" />
        <LevelLegend />
      </>,
    )
    expect(r.getAllByText('Partial (<70)')[0].className).toContain('lvl-partial')
    expect(r.container.querySelectorAll('.legend i')).toHaveLength(5)
  })
  it('lays out a filter bar as a card strip or on its own', () => {
    const r = render(
      <>
        <FilterBar>
          <TextInput label="Search" />
        </FilterBar>
        <FilterBar plain>
          <TextInput label="Name" />
        </FilterBar>
      </>,
    )
    const bars = r.container.querySelectorAll('.filters')
    expect(bars).toHaveLength(2)
    expect(bars[0].className).toBe('filters filter-bar')
    expect(bars[1].className).toBe('filters')
    expect(r.getByLabelText('Search')).toBeTruthy()
  })
  it('switches tabs', () => {
    const onChange = vi.fn()
    const r = render(<Tabs tabs={[{ id: 'a', label: 'A' }, { id: 'b', label: 'B' }]} value="a" onChange={onChange} />)
    expect(r.getByText('A').getAttribute('aria-selected')).toBe('true')
    fireEvent.click(r.getByText('B'))
    expect(onChange).toHaveBeenCalledWith('b')
  })
  it('closes a modal with Escape', () => {
    const onClose = vi.fn()
    const r = render(
      <Modal title="New user" onClose={onClose}>
        <input aria-label="name" />
      </Modal>,
    )
    expect(r.getByRole('dialog')).toBeTruthy()
    fireEvent.keyDown(document, { key: 'Escape' })
    expect(onClose).toHaveBeenCalled()
  })
  it('shows and expires toasts', () => {
    vi.useFakeTimers()
    function Pusher() {
      const t = useToast()
      return <button onClick={() => t.push({ title: 'Saved', body: 'ok' })}>push</button>
    }
    const r = render(
      <ToastProvider timeout={1000}>
        <Pusher />
      </ToastProvider>,
    )
    fireEvent.click(r.getByText('push'))
    expect(r.getByText('Saved')).toBeTruthy()
    act(() => vi.advanceTimersByTime(1100))
    expect(r.queryByText('Saved')).toBeNull()
    vi.useRealTimers()
  })
  it('renders badge tones', () => {
    const r = render(<Badge tone="danger">Revoked</Badge>)
    expect(r.getByText('Revoked').className).toBe('badge danger')
  })
})
