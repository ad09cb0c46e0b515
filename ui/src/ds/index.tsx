import {
  createContext,
  useCallback,
  useContext,
  useEffect,
  useId,
  useRef,
  useState,
  type ButtonHTMLAttributes,
  type InputHTMLAttributes,
  type ReactNode,
  type SelectHTMLAttributes,
  type TextareaHTMLAttributes,
} from 'react'
import { LEVELS, LEVEL_LABELS, type Level } from '../lib/format'
import { Icon } from './icons'

export { Icon, ICON_NAMES, type IconName } from './icons'

// The Aegis design system: small components over the tokens in styles.css.

type Variant = 'default' | 'primary' | 'danger' | 'ghost'

export function Button({
  variant = 'default',
  size,
  block,
  busy,
  className,
  children,
  disabled,
  type = 'button',
  ...rest
}: ButtonHTMLAttributes<HTMLButtonElement> & { variant?: Variant; size?: 'small'; block?: boolean; busy?: boolean }) {
  const cls = ['btn', variant !== 'default' && variant, size, block && 'block', className].filter(Boolean).join(' ')
  return (
    <button type={type} className={cls} disabled={disabled || busy} aria-busy={busy || undefined} {...rest}>
      {busy && <span className="spinner" style={{ width: 14, height: 14 }} aria-hidden />}
      {children}
    </button>
  )
}

export function Field({ label, hint, error, children, htmlFor }: { label: ReactNode; hint?: ReactNode; error?: ReactNode; children: ReactNode; htmlFor?: string }) {
  return (
    <div className="field">
      <label htmlFor={htmlFor}>{label}</label>
      {children}
      {error ? <span className="error">{error}</span> : hint ? <span className="hint">{hint}</span> : null}
    </div>
  )
}

export function TextInput({ label, hint, error, id, ...rest }: InputHTMLAttributes<HTMLInputElement> & { label: ReactNode; hint?: ReactNode; error?: ReactNode }) {
  const auto = useId()
  const fid = id ?? auto
  return (
    <Field label={label} hint={hint} error={error} htmlFor={fid}>
      <input id={fid} className="input" aria-invalid={error ? true : undefined} {...rest} />
    </Field>
  )
}

export function TextArea({ label, hint, error, id, ...rest }: TextareaHTMLAttributes<HTMLTextAreaElement> & { label: ReactNode; hint?: ReactNode; error?: ReactNode }) {
  const auto = useId()
  const fid = id ?? auto
  return (
    <Field label={label} hint={hint} error={error} htmlFor={fid}>
      <textarea id={fid} className="textarea" {...rest} />
    </Field>
  )
}

export type Option = { value: string; label: string }

export function Select({
  label,
  hint,
  options,
  placeholder,
  id,
  ...rest
}: SelectHTMLAttributes<HTMLSelectElement> & { label?: ReactNode; hint?: ReactNode; options: Option[]; placeholder?: string }) {
  const auto = useId()
  const fid = id ?? auto
  const sel = (
    <select id={fid} className="select" {...rest}>
      {placeholder !== undefined && <option value="">{placeholder}</option>}
      {options.map((o) => (
        <option key={o.value} value={o.value}>
          {o.label}
        </option>
      ))}
    </select>
  )
  if (label === undefined) return sel
  return (
    <Field label={label} hint={hint} htmlFor={fid}>
      {sel}
    </Field>
  )
}

export function Checkbox({ label, ...rest }: InputHTMLAttributes<HTMLInputElement> & { label: ReactNode }) {
  return (
    <label className="checkbox">
      <input type="checkbox" {...rest} />
      {label}
    </label>
  )
}

type Tone = 'default' | 'primary' | 'success' | 'warning' | 'danger' | 'info' | 'red' | 'blue' | 'outline'

export function Badge({ tone = 'default', children, title }: { tone?: Tone; children: ReactNode; title?: string }) {
  return (
    <span className={'badge' + (tone !== 'default' ? ' ' + tone : '')} title={title}>
      {children}
    </span>
  )
}

/** LevelBadge shows a coverage level in its heatmap colour. */
export function LevelBadge({ level, children }: { level: Level; children?: ReactNode }) {
  return <span className={`badge lvl-${level}`}>{children ?? LEVEL_LABELS[level]}</span>
}

export function LevelLegend() {
  return (
    <div className="legend" aria-label="Coverage levels">
      {LEVELS.map((l) => (
        <span key={l}>
          <i className={`lvl-${l}`} />
          {LEVEL_LABELS[l]}
        </span>
      ))}
    </div>
  )
}

export function Card({ title, actions, children, flush, className }: { title?: ReactNode; actions?: ReactNode; children: ReactNode; flush?: boolean; className?: string }) {
  return (
    <section className={['card', flush && 'flush', className].filter(Boolean).join(' ')}>
      {(title || actions) && (
        <div className="card-head">
          {typeof title === 'string' ? <h2>{title}</h2> : title}
          {actions && <div className="row">{actions}</div>}
        </div>
      )}
      <div className="card-body">{children}</div>
    </section>
  )
}

export function PageHead({ title, subtitle, actions }: { title: ReactNode; subtitle?: ReactNode; actions?: ReactNode }) {
  return (
    <div className="page-head">
      <div>
        <h1>{title}</h1>
        {subtitle && <p>{subtitle}</p>}
      </div>
      {actions && <div className="row">{actions}</div>}
    </div>
  )
}

export function Spinner({ label = 'Loading…' }: { label?: string }) {
  return (
    <div className="row muted" role="status" style={{ padding: 16 }}>
      <span className="spinner" aria-hidden />
      {label}
    </div>
  )
}

export function Alert({ tone = 'error', children }: { tone?: 'error' | 'info' | 'success' | 'warning'; children: ReactNode }) {
  return (
    <div className={`alert ${tone}`} role={tone === 'error' ? 'alert' : 'status'}>
      {children}
    </div>
  )
}

export function EmptyState({ icon = '○', title, children, action }: { icon?: ReactNode; title: ReactNode; children?: ReactNode; action?: ReactNode }) {
  return (
    <div className="empty">
      <div className="icon" aria-hidden>
        {icon}
      </div>
      <h3>{title}</h3>
      {children && <div>{children}</div>}
      {action && <div style={{ marginTop: 14 }}>{action}</div>}
    </div>
  )
}

/** ComingSoon is the clear "not built yet" state of a page in the navigation. */
export function ComingSoon({ title, summary, features = [] }: { title: string; summary: string; features?: string[] }) {
  return (
    <div className="coming card">
      <div className="card-body">
        <span className="badge warning tag">Coming soon</span>
        <h1>{title}</h1>
        <p className="muted">{summary}</p>
        {features.length > 0 && (
          <ul>
            {features.map((f) => (
              <li key={f}>{f}</li>
            ))}
          </ul>
        )}
        <p className="faint small">This page is part of Aegis but not available in this build yet.</p>
      </div>
    </div>
  )
}

export function ProgressBar({ value, max = 100, tone, label }: { value: number | null; max?: number; tone?: 'success' | 'danger'; label?: string }) {
  const pct = value === null || max <= 0 ? null : Math.max(0, Math.min(100, (value / max) * 100))
  return (
    <div
      className={['progress', tone, pct === null && 'indeterminate'].filter(Boolean).join(' ')}
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={pct === null ? undefined : Math.round(pct)}
    >
      <div style={{ width: `${pct ?? 30}%` }} />
    </div>
  )
}

export type Tab = { id: string; label: ReactNode }

export function Tabs({ tabs, value, onChange }: { tabs: Tab[]; value: string; onChange: (id: string) => void }) {
  return (
    <div className="tabs" role="tablist">
      {tabs.map((t) => (
        <button key={t.id} role="tab" className="tab" aria-selected={t.id === value} onClick={() => onChange(t.id)}>
          {t.label}
        </button>
      ))}
    </div>
  )
}

export function Modal({ title, onClose, children, footer, wide }: { title: ReactNode; onClose: () => void; children: ReactNode; footer?: ReactNode; wide?: boolean }) {
  const ref = useRef<HTMLDivElement>(null)
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && onClose()
    document.addEventListener('keydown', onKey)
    ref.current?.querySelector<HTMLElement>('input, select, textarea, button')?.focus()
    return () => document.removeEventListener('keydown', onKey)
  }, [onClose])
  return (
    <div className="modal-backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div className={'modal' + (wide ? ' wide' : '')} role="dialog" aria-modal="true" aria-label={typeof title === 'string' ? title : undefined} ref={ref}>
        <div className="modal-head">
          <h2>{title}</h2>
          <button className="btn ghost small" onClick={onClose} aria-label="Close">
            <Icon name="close" />
          </button>
        </div>
        <div className="modal-body">{children}</div>
        {footer && <div className="modal-foot">{footer}</div>}
      </div>
    </div>
  )
}

/* Toasts */

export type ToastItem = { id: number; title: string; body?: string; tone?: 'info' | 'error' | 'success' }
type ToastApi = { push: (t: Omit<ToastItem, 'id'>) => void }
const ToastContext = createContext<ToastApi>({ push: () => {} })

export function ToastProvider({ children, timeout = 6000 }: { children: ReactNode; timeout?: number }) {
  const [items, setItems] = useState<ToastItem[]>([])
  const next = useRef(1)
  const dismiss = useCallback((id: number) => setItems((xs) => xs.filter((x) => x.id !== id)), [])
  const push = useCallback(
    (t: Omit<ToastItem, 'id'>) => {
      const id = next.current++
      setItems((xs) => [...xs.slice(-4), { ...t, id }])
      if (timeout > 0) setTimeout(() => dismiss(id), timeout)
    },
    [dismiss, timeout],
  )
  return (
    <ToastContext.Provider value={{ push }}>
      {children}
      <div className="toasts" aria-live="polite">
        {items.map((t) => (
          <div key={t.id} className={'toast' + (t.tone && t.tone !== 'info' ? ' ' + t.tone : '')} role="status">
            <div>
              <b>{t.title}</b>
              {t.body && <span>{t.body}</span>}
            </div>
            <button onClick={() => dismiss(t.id)} aria-label="Dismiss">
              <Icon name="close" size={14} />
            </button>
          </div>
        ))}
      </div>
    </ToastContext.Provider>
  )
}

export function useToast(): ToastApi {
  return useContext(ToastContext)
}

/* Tables */

export type Column<T> = {
  key: string
  header: ReactNode
  render: (row: T) => ReactNode
  width?: number | string
  className?: string
}

export function Table<T>({
  columns,
  rows,
  rowKey,
  onRowClick,
  empty,
  loading,
  caption,
}: {
  columns: Column<T>[]
  rows: T[]
  rowKey: (row: T) => string
  onRowClick?: (row: T) => void
  empty?: ReactNode
  loading?: boolean
  caption?: string
}) {
  return (
    <div className="table-wrap">
      <table className="table">
        {caption && <caption className="sr-only">{caption}</caption>}
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c.key} style={c.width ? { width: c.width } : undefined}>
                {c.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={rowKey(r)} className={onRowClick ? 'clickable' : undefined} onClick={onRowClick ? () => onRowClick(r) : undefined}>
              {columns.map((c) => (
                <td key={c.key} className={c.className}>
                  {c.render(r)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      {loading && rows.length === 0 && <Spinner />}
      {!loading && rows.length === 0 && (empty ?? <EmptyState title="Nothing here yet" />)}
    </div>
  )
}

/** Pagination works with or without a total: with skipTotal lists it only
 *  knows whether another page exists. */
export function Pagination({
  page,
  perPage,
  count,
  total,
  hasMore,
  onPage,
}: {
  page: number
  perPage: number
  count: number
  total?: number | null
  hasMore?: boolean
  onPage: (p: number) => void
}) {
  const from = count === 0 ? 0 : (page - 1) * perPage + 1
  const to = (page - 1) * perPage + count
  const known = total !== undefined && total !== null && total >= 0
  const more = known ? to < (total as number) : !!hasMore
  const pages = known ? Math.max(1, Math.ceil((total as number) / perPage)) : null
  return (
    <nav className="pagination" aria-label="Pagination">
      <span>
        {count === 0 ? 'No rows' : `${from.toLocaleString('en-US')}–${to.toLocaleString('en-US')}`}
        {known ? ` of ${(total as number).toLocaleString('en-US')}` : ''}
      </span>
      <span className="row">
        <span className="faint">Page {page}{pages ? ` of ${pages}` : ''}</span>
        <Button size="small" disabled={page <= 1} onClick={() => onPage(page - 1)}>
          ← Previous
        </Button>
        <Button size="small" disabled={!more} onClick={() => onPage(page + 1)}>
          Next →
        </Button>
      </span>
    </nav>
  )
}
