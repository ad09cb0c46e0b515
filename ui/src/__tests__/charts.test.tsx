import { afterEach, describe, expect, it } from 'vitest'
import { cleanup, render } from '@testing-library/react'
import { BarList, Gauge, StackedBar } from '../ds/charts'

afterEach(cleanup)

describe('charts', () => {
  it('draws one bar per row, scaled and clamped, coloured by level', () => {
    const r = render(<BarList width={400} labelWidth={100} bars={[{ label: 'Execution', value: 50, level: 'partial' }, { label: 'Impact', value: 140, level: 'good' }, { label: 'Recon', value: -5 }]} />)
    const fills = [...r.container.querySelectorAll('rect')].filter((_, i) => i % 2 === 1)
    const barW = 400 - 100 - 56
    expect(fills.map((f) => Number(f.getAttribute('width')))).toEqual([barW / 2, barW, 0])
    expect(fills[0].getAttribute('fill')).toContain('--cov-partial')
    expect(r.container.textContent).toContain('Execution')
  })
  it('splits a stacked bar by share and lists every segment', () => {
    const r = render(<StackedBar segments={[{ label: 'Draft', value: 1, color: '#aaa' }, { label: 'Ready', value: 3, color: '#bbb' }, { label: 'Closed', value: 0, color: '#ccc' }]} />)
    const rects = [...r.container.querySelectorAll('rect')].slice(1)
    expect(rects.map((x) => Number(x.getAttribute('width')))).toEqual([250, 750, 0])
    expect(r.getByText('Ready')).toBeTruthy()
  })
  it('shows the rounded score on the gauge', () => {
    const r = render(<Gauge value={42.6} level="partial" />)
    expect(r.getByRole('img').getAttribute('aria-label')).toBe('Score 43 of 100')
  })
})
