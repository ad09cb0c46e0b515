import { describe, expect, it } from 'vitest'
import { render, fireEvent, act } from '@testing-library/react'
import { Link, match, navigate, resolve, setQuery, useLocation } from '../lib/router'

describe('match', () => {
  it.each([
    ['/actors/:id', '/actors/G0016', { id: 'G0016' }],
    ['/techniques/:id', '/techniques/T1059.001', { id: 'T1059.001' }],
    ['/techniques/:id', '/techniques/T1059%2F001', { id: 'T1059/001' }],
    ['/users', '/users', {}],
    ['/users', '/users/', {}],
    ['/users', '/audit', null],
    ['/actors/:id', '/actors', null],
    ['/actors/:id', '/actors/%E0%A4%A', null],
  ])('%s vs %s', (pattern, path, want) => {
    expect(match(pattern, path)).toEqual(want)
  })
  it('resolves the first matching route', () => {
    const routes = [
      { path: '/campaigns/new', value: 'wizard' },
      { path: '/campaigns/:id', value: 'detail' },
    ]
    expect(resolve(routes, '/campaigns/new')?.value).toBe('wizard')
    expect(resolve(routes, '/campaigns/abc')).toEqual({ value: 'detail', params: { id: 'abc' } })
    expect(resolve(routes, '/nope')).toBeNull()
  })
})

function Where() {
  const { path, query } = useLocation()
  return (
    <div>
      <span data-testid="path">{path}</span>
      <span data-testid="q">{query.toString()}</span>
      <Link to="/audit?action=login">go</Link>
    </div>
  )
}

describe('navigation', () => {
  it('follows links and query updates without reloading', () => {
    act(() => navigate('/users'))
    const r = render(<Where />)
    expect(r.getByTestId('path').textContent).toBe('/users')
    fireEvent.click(r.getByText('go'))
    expect(r.getByTestId('path').textContent).toBe('/audit')
    expect(r.getByTestId('q').textContent).toBe('action=login')
    act(() => setQuery({ action: null, page: 2 }))
    expect(r.getByTestId('q').textContent).toBe('page=2')
    expect(window.location.pathname).toBe('/audit')
  })
})
