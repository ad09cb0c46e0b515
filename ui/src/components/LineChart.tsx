import { linePath } from './util'

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
