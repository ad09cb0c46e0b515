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
import { Link, setQuery, useLocation } from '../lib/router'
import { useSubmit } from '../lib/submit'
import { errorMessage } from '../lib/pb'

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
      {busy && <span className="spinner sm" aria-hidden />}
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

/** FilterBar holds a list's search and filter fields in one wrapping row: by
 *  default as the top strip of a flush card, `plain` on its own in the page. */
export function FilterBar({ children, plain = false }: { children: ReactNode; plain?: boolean }) {
  return <div className={plain ? 'filters' : 'filters filter-bar'}>{children}</div>
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

export function TextArea({ label, hint, error, id, className, ...rest }: TextareaHTMLAttributes<HTMLTextAreaElement> & { label: ReactNode; hint?: ReactNode; error?: ReactNode }) {
  const auto = useId()
  const fid = id ?? auto
  return (
    <Field label={label} hint={hint} error={error} htmlFor={fid}>
      <textarea id={fid} className={className ? `textarea ${className}` : 'textarea'} {...rest} />
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
    <div className="row muted pad-16" role="status">
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
      {action && <div className="mt-14">{action}</div>}
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

/** TabPanel is the content under Tabs, padded like a card body. */
export function TabPanel({ children, label }: { children: ReactNode; label?: string }) {
  return (
    <div className="tabpanel" role="tabpanel" aria-label={label}>
      {children}
    </div>
  )
}

export function Modal({ title, onClose, children, footer, wide }: { title: ReactNode; onClose: () => void; children: ReactNode; footer?: ReactNode; wide?: boolean }) {
  const ref = useRef<HTMLDivElement>(null)
  // The latest onClose, so that a parent re-rendering (a live reload) neither
  // re-binds Escape nor moves the focus back to the first field.
  const close = useRef(onClose)
  close.current = onClose
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && close.current()
    document.addEventListener('keydown', onKey)
    const el = ref.current
    const first =
      el?.querySelector<HTMLElement>('.modal-body :is(input, select, textarea):not([disabled]):not([type=hidden])') ??
      el?.querySelector<HTMLElement>('.modal-body button:not([disabled]), .modal-foot button:not([disabled])')
    first?.focus()
    return () => document.removeEventListener('keydown', onKey)
  }, [])
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

/**
 * FormDialog is every modal form: a title, the fields as children, Cancel and
 * a submit button in the footer. onSubmit may return a promise: while it runs
 * the submit button is busy and a second submit is ignored; if it throws (the
 * server refused, or a check of the form failed), the reason is shown in words
 * above the fields and the dialog stays open. Enter in a field submits, Escape
 * and Cancel close, the first field has the focus when it opens.
 */
export function FormDialog({
  title,
  onClose,
  onSubmit,
  children,
  submitLabel = 'Save',
  cancelLabel = 'Cancel',
  variant = 'primary',
  disabled,
  wide,
  actions,
  submitTestId,
}: {
  title: ReactNode
  onClose: () => void
  onSubmit: () => unknown
  children: ReactNode
  submitLabel?: ReactNode
  cancelLabel?: ReactNode
  variant?: 'primary' | 'danger'
  /** disabled holds the submit button back (the form is not complete). */
  disabled?: boolean
  wide?: boolean
  /** actions are further footer buttons between Cancel and submit. */
  actions?: ReactNode
  submitTestId?: string
}) {
  const form = useId()
  const s = useSubmit()
  return (
    <Modal
      title={title}
      wide={wide}
      onClose={onClose}
      footer={
        <>
          <Button onClick={onClose}>{cancelLabel}</Button>
          {actions}
          <Button variant={variant} type="submit" form={form} busy={s.busy} disabled={disabled} data-testid={submitTestId}>
            {submitLabel}
          </Button>
        </>
      }
    >
      <form
        id={form}
        className="stack"
        onSubmit={(e) => {
          e.preventDefault()
          if (!disabled) void s.run(onSubmit)
        }}
      >
        {s.error && <Alert>{s.error}</Alert>}
        {children}
      </form>
    </Modal>
  )
}

/** ListError is a list's load error, in words, at the top of its card. */
export function ListError({ error }: { error?: string }) {
  if (!error) return null
  return (
    <div className="pad">
      <Alert>{error}</Alert>
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

/**
 * useAction runs the actions of a page's buttons: busy names the one running
 * (give each button its own key), a second click while it runs is ignored,
 * and a failure is told in a toast titled failTitle with the reason in words.
 * run resolves true when the action succeeded.
 */
export function useAction() {
  const { push } = useToast()
  const [busy, setBusy] = useState('')
  const running = useRef(false)
  const run = useCallback(
    async (key: string, failTitle: string, action: () => unknown) => {
      if (running.current) return false
      running.current = true
      setBusy(key)
      try {
        await action()
        return true
      } catch (err) {
        push({ title: failTitle, body: errorMessage(err), tone: 'error' })
        return false
      } finally {
        running.current = false
        setBusy('')
      }
    },
    [push],
  )
  return { busy, run }
}

/* Tables */

export type Column<T> = {
  key: string
  header: ReactNode
  render: (row: T) => ReactNode
  width?: number | string
  className?: string
  /** sort is the server field this column sorts by (with onSort). */
  sort?: string
  /** value sorts the column on the client when the table has no onSort. */
  value?: (row: T) => string | number | boolean | null | undefined
  /** control marks a column that holds its own control (a selection
   *  checkbox): it is never wrapped in the row's link. */
  control?: boolean
}

/** nextSort cycles a column's sort: ascending, then descending. */
export function nextSort(current: string | undefined, field: string): string {
  return current === field ? '-' + field : field
}

/** sortRows sorts rows on the client by a column's value ("-key" descending). */
export function sortRows<T>(rows: T[], columns: Column<T>[], sort: string | undefined): T[] {
  if (!sort) return rows
  const desc = sort.startsWith('-')
  const key = desc ? sort.slice(1) : sort
  const col = columns.find((c) => c.key === key)
  if (!col?.value) return rows
  const v = col.value
  const cmp = (a: T, b: T) => {
    const x = v(a)
    const y = v(b)
    if (x === y) return 0
    if (x === null || x === undefined || x === '') return 1
    if (y === null || y === undefined || y === '') return -1
    const r = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y), 'en', { numeric: true, sensitivity: 'base' })
    return desc ? -r : r
  }
  return [...rows].sort(cmp)
}

const ROW_TARGETS = 'a.row-link, tr.clickable'

/** moveRow moves the focus to the next (+1) or previous (-1) row of a table. */
export function moveRow(table: HTMLElement, step: 1 | -1): HTMLElement | null {
  const rows = [...table.querySelectorAll<HTMLElement>(ROW_TARGETS)]
  if (!rows.length) return null
  const at = rows.findIndex((r) => r === document.activeElement || r.contains(document.activeElement))
  const next = rows[at < 0 ? (step > 0 ? 0 : rows.length - 1) : Math.max(0, Math.min(rows.length - 1, at + step))]!
  next.focus()
  next.scrollIntoView?.({ block: 'nearest' })
  return next
}

function typing(t: EventTarget | null): boolean {
  const el = t as HTMLElement | null
  return !!el && (el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName))
}

export function Table<T>({
  columns,
  rows,
  rowKey,
  onRowClick,
  rowHref,
  sort,
  onSort,
  empty,
  loading,
  caption,
  keyboard = true,
}: {
  columns: Column<T>[]
  rows: T[]
  rowKey: (row: T) => string
  /** onRowClick opens something in place (a dialog); rows are focusable and answer Enter. */
  onRowClick?: (row: T) => void
  /** rowHref makes each row a real link (Tab, Enter, open in a new tab). */
  rowHref?: (row: T) => string
  /** sort is "field" or "-field"; with onSort the server sorts, otherwise columns with value sort here. */
  sort?: string
  onSort?: (sort: string) => void
  empty?: ReactNode
  loading?: boolean
  caption?: string
  /** keyboard: j/k move between rows and Enter opens (the first such table on the page). */
  keyboard?: boolean
}) {
  const [localSort, setLocalSort] = useState<string | undefined>(undefined)
  const ref = useRef<HTMLTableElement>(null)
  const current = onSort ? sort : (localSort ?? sort)
  const shown = onSort ? rows : sortRows(rows, columns, current)
  const sortable = (c: Column<T>) => (onSort ? !!c.sort : !!c.value)
  const field = (c: Column<T>) => (onSort ? c.sort! : c.key)
  const navigable = keyboard && (!!rowHref || !!onRowClick)
  useEffect(() => {
    if (!navigable) return
    const onKey = (e: KeyboardEvent) => {
      if (e.metaKey || e.ctrlKey || e.altKey || typing(e.target) || document.querySelector('.modal-backdrop, .palette')) return
      const first = document.querySelector('table[data-keynav]')
      if (!ref.current || first !== ref.current) return
      if (e.key === 'j' || e.key === 'k') {
        e.preventDefault()
        moveRow(ref.current, e.key === 'j' ? 1 : -1)
      }
    }
    document.addEventListener('keydown', onKey)
    return () => document.removeEventListener('keydown', onKey)
  }, [navigable])
  return (
    <div className="table-wrap">
      <table className="table" ref={ref} data-keynav={navigable ? '' : undefined}>
        {caption && <caption className="sr-only">{caption}</caption>}
        <thead>
          <tr>
            {columns.map((c) => {
              const f = sortable(c) ? field(c) : ''
              const dir = f && current === f ? 'ascending' : f && current === '-' + f ? 'descending' : f ? 'none' : undefined
              return (
                <th key={c.key} style={c.width ? { width: c.width } : undefined} aria-sort={dir}>
                  {f ? (
                    <button
                      type="button"
                      className="th-sort"
                      onClick={() => {
                        const n = nextSort(current, f)
                        if (onSort) onSort(n)
                        else setLocalSort(n)
                      }}
                    >
                      {c.header}
                      <Icon name={dir === 'ascending' ? 'sortUp' : dir === 'descending' ? 'sortDown' : 'sort'} size={12} />
                    </button>
                  ) : (
                    c.header
                  )}
                </th>
              )
            })}
          </tr>
        </thead>
        <tbody>
          {shown.map((r) => {
            const href = rowHref?.(r)
            const linkAt = columns.findIndex((c) => !c.control)
            return (
              <tr
                key={rowKey(r)}
                className={href ? 'linked' : onRowClick ? 'clickable' : undefined}
                tabIndex={!href && onRowClick ? 0 : undefined}
                onClick={!href && onRowClick ? () => onRowClick(r) : undefined}
                onKeyDown={
                  !href && onRowClick
                    ? (e) => {
                        if ((e.key === 'Enter' || e.key === ' ') && e.target === e.currentTarget) {
                          e.preventDefault()
                          onRowClick(r)
                        }
                      }
                    : undefined
                }
              >
                {columns.map((c, i) => (
                  <td key={c.key} className={c.className}>
                    {href && i === linkAt ? (
                      <Link to={href} className="row-link">
                        {c.render(r)}
                      </Link>
                    ) : (
                      c.render(r)
                    )}
                  </td>
                ))}
              </tr>
            )
          })}
        </tbody>
      </table>
      {loading && rows.length === 0 && <Spinner />}
      {!loading && rows.length === 0 && (empty ?? <EmptyState title="Nothing here yet" />)}
    </div>
  )
}

/** useListState keeps a list's page and sort in the URL (?page=2&sort=-updated),
 *  so a list can be reloaded, shared and gone back to as it was. Filters go
 *  in the URL with setQuery; changing one should reset the page (resetPage). */
export function useListState(defaults: { sort?: string } = {}) {
  const { query } = useLocation()
  const page = Math.max(1, Math.floor(Number(query.get('page'))) || 1)
  const sort = query.get('sort') || defaults.sort || ''
  return {
    page,
    sort,
    query,
    setPage: (p: number) => setQuery({ page: p > 1 ? p : null }),
    setSort: (s: string) => setQuery({ sort: s && s !== defaults.sort ? s : null, page: null, after: null, before: null }),
    /** setFilter sets filters in the URL and goes back to the first page. */
    setFilter: (f: Record<string, string | null>) => setQuery({ ...f, page: null, after: null, before: null }),
  }
}

/** Pagination works with or without a total: with skipTotal lists it only
 *  knows whether another page exists. Lists paged by cursor say whether a
 *  previous page exists (hasPrev). */
export function Pagination({
  page,
  perPage,
  count,
  total,
  hasMore,
  hasPrev,
  onPage,
  perPageOptions,
  onPerPage,
}: {
  page: number
  perPage: number
  count: number
  total?: number | null
  hasMore?: boolean
  hasPrev?: boolean
  onPage: (p: number) => void
  /** The page sizes offered (with onPerPage). */
  perPageOptions?: number[]
  onPerPage?: (n: number) => void
}) {
  const from = count === 0 ? 0 : (page - 1) * perPage + 1
  const to = (page - 1) * perPage + count
  const known = total !== undefined && total !== null && total >= 0
  const more = hasMore !== undefined ? hasMore : known && to < (total as number)
  const pages = known ? Math.max(1, Math.ceil((total as number) / perPage)) : null
  return (
    <nav className="pagination" aria-label="Pagination">
      <span>
        {count === 0 ? 'No rows' : `${from.toLocaleString('en-US')}–${to.toLocaleString('en-US')}`}
        {known && count > 0 ? ` of ${(total as number).toLocaleString('en-US')}` : ''}
      </span>
      <span className="row">
        {perPageOptions && onPerPage && (
          <select className="select small" aria-label="Rows per page" value={perPage} onChange={(e) => onPerPage(Number(e.target.value))}>
            {perPageOptions.map((n) => (
              <option key={n} value={n}>
                {n} per page
              </option>
            ))}
          </select>
        )}
        <span className="faint">Page {page}{pages ? ` of ${pages}` : ''}</span>
        <Button size="small" disabled={hasPrev === undefined ? page <= 1 : !hasPrev} onClick={() => onPage(page - 1)}>
          ← Previous
        </Button>
        <Button size="small" disabled={!more} onClick={() => onPage(page + 1)}>
          Next →
        </Button>
      </span>
    </nav>
  )
}
