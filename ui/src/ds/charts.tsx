import type { ReactNode } from 'react'
import type { Level } from '../lib/format'

// Hand-written SVG charts: no chart library, colours from the design tokens.

export type Bar = { label: string; value: number; max?: number; level?: Level | string; hint?: ReactNode; color?: string }

/** BarList draws one labelled horizontal bar per row (0..max, default 100). */
export function BarList({ bars, unit = '', width = 520, labelWidth = 170 }: { bars: Bar[]; unit?: string; width?: number; labelWidth?: number }) {
  const row = 26
  const barW = width - labelWidth - 56
  return (
    <svg viewBox={`0 0 ${width} ${bars.length * row + 4}`} width="100%" role="img" aria-label="Bar chart" className="d-block">
      {bars.map((b, i) => {
        const max = b.max ?? 100
        const w = max > 0 ? Math.max(0, Math.min(1, b.value / max)) * barW : 0
        const y = i * row + 4
        return (
          <g key={b.label + i}>
            <title>{`${b.label}: ${Math.round(b.value * 10) / 10}${unit}`}</title>
            <text x={labelWidth - 8} y={y + 13} textAnchor="end" fontSize="12" fill="var(--text-2)">
              {b.label.length > 26 ? b.label.slice(0, 25) + '…' : b.label}
            </text>
            <rect x={labelWidth} y={y + 2} width={barW} height={16} rx={3} fill="var(--surface-2)" />
            <rect x={labelWidth} y={y + 2} width={w} height={16} rx={3} fill={b.color ?? (b.level ? `var(--cov-${b.level}, var(--primary))` : 'var(--primary)')} stroke="rgba(0,0,0,0.08)" />
            <text x={labelWidth + barW + 6} y={y + 14} fontSize="12" fontWeight="600" fill="var(--text)">
              {Math.round(b.value)}
              {unit}
            </text>
          </g>
        )
      })}
    </svg>
  )
}

export type Segment = { label: string; value: number; color: string }

/** StackedBar shows parts of a whole in one bar with a legend. */
export function StackedBar({ segments, height = 18 }: { segments: Segment[]; height?: number }) {
  const total = segments.reduce((n, s) => n + s.value, 0)
  let x = 0
  return (
    <div className="stack tight">
      <svg viewBox={`0 0 1000 ${height}`} width="100%" height={height} preserveAspectRatio="none" role="img" aria-label="Distribution">
        <rect x={0} y={0} width={1000} height={height} rx={4} fill="var(--surface-2)" />
        {total > 0 &&
          segments.map((s) => {
            const w = (s.value / total) * 1000
            const el = (
              <rect key={s.label} x={x} y={0} width={w} height={height} fill={s.color}>
                <title>{`${s.label}: ${s.value}`}</title>
              </rect>
            )
            x += w
            return el
          })}
      </svg>
      <div className="legend">
        {segments.map((s) => (
          <span key={s.label}>
            <i style={{ background: s.color }} />
            {s.label} <b>{s.value.toLocaleString('en-US')}</b>
          </span>
        ))}
      </div>
    </div>
  )
}

/** Gauge is a half-circle dial for a 0–100 score. */
export function Gauge({ value, level, size = 180 }: { value: number; level: string; size?: number }) {
  const r = 70
  const c = Math.PI * r
  const v = Math.max(0, Math.min(100, value))
  return (
    <svg viewBox="0 0 180 104" width={size} role="img" aria-label={`Score ${Math.round(v)} of 100`}>
      <path d="M20 92 A70 70 0 0 1 160 92" fill="none" stroke="var(--surface-2)" strokeWidth="16" strokeLinecap="round" />
      <path d="M20 92 A70 70 0 0 1 160 92" fill="none" stroke={`var(--cov-${level}, var(--primary))`} strokeWidth="16" strokeLinecap="round" strokeDasharray={`${(v / 100) * c} ${c}`} />
      <text x="90" y="84" textAnchor="middle" fontSize="34" fontWeight="700" fill="var(--text)">
        {Math.round(v)}
      </text>
      <text x="90" y="101" textAnchor="middle" fontSize="11" fill="var(--text-3)">
        of 100
      </text>
    </svg>
  )
}

export type XY = { x: number; y: number }

/** linePath scales points into a width × height box (y 0..100 upwards). */
export function linePath(values: number[], width: number, height: number, pad = 0): { points: XY[]; d: string } {
  const n = values.length
  const points = values.map((v, i) => ({
    x: pad + (n <= 1 ? (width - 2 * pad) / 2 : (i / (n - 1)) * (width - 2 * pad)),
    y: pad + (1 - Math.max(0, Math.min(100, v)) / 100) * (height - 2 * pad),
  }))
  const d = points.map((p, i) => `${i ? 'L' : 'M'}${p.x.toFixed(1)} ${p.y.toFixed(1)}`).join(' ')
  return { points, d }
}

// A small SVG line chart for 0–100 scores over time, one line per series.

export type Series = { label: string; values: number[]; color: string }

export function LineChart({ series, labels, width = 720, height = 220 }: { series: Series[]; labels: string[]; width?: number; height?: number }) {
  const left = 34
  const bottom = 22
  const w = width - left - 10
  const h = height - bottom - 8
  return (
    <div className="stack tight">
      <svg viewBox={`0 0 ${width} ${height}`} width="100%" role="img" aria-label="Score trend" data-testid="trend-chart">
        {[0, 25, 50, 75, 100].map((v) => {
          const y = 8 + (1 - v / 100) * h
          return (
            <g key={v}>
              <line x1={left} x2={left + w} y1={y} y2={y} stroke="var(--border)" strokeDasharray={v ? '3 3' : undefined} />
              <text x={left - 6} y={y + 4} textAnchor="end" fontSize="10" fill="var(--text-3)">{v}</text>
            </g>
          )
        })}
        {labels.map((l, i) => {
          const step = Math.max(1, Math.ceil(labels.length / 8))
          if (i % step && i !== labels.length - 1) return null
          const x = left + (labels.length <= 1 ? w / 2 : (i / (labels.length - 1)) * w)
          return <text key={i} x={x} y={height - 6} textAnchor={labels.length > 1 && i === labels.length - 1 ? 'end' : i === 0 && labels.length > 1 ? 'start' : 'middle'} fontSize="10" fill="var(--text-3)">{l}</text>
        })}
        <g transform={`translate(${left} 8)`}>
          {series.map((s) => {
            const { d, points } = linePath(s.values, w, h)
            return (
              <g key={s.label}>
                <path d={d} fill="none" stroke={s.color} strokeWidth={2} />
                {points.map((p, i) => (
                  <circle key={i} cx={p.x} cy={p.y} r={3} fill={s.color}>
                    <title>{`${s.label} · ${labels[i]}: ${Math.round(s.values[i] * 10) / 10}`}</title>
                  </circle>
                ))}
              </g>
            )
          })}
        </g>
      </svg>
      <div className="legend">
        {series.map((s) => (
          <span key={s.label}>
            <i style={{ background: s.color }} />
            {s.label}
          </span>
        ))}
      </div>
    </div>
  )
}
