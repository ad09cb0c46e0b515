import { useEffect, useSyncExternalStore, type AnchorHTMLAttributes, type MouseEvent } from 'react'

// A small History API router: routes are patterns like "/actors/:id", links
// push state, and the Go server answers every unknown path with index.html.

const listeners = new Set<() => void>()
function emit() {
  for (const l of listeners) l()
}
if (typeof window !== 'undefined') window.addEventListener('popstate', emit)

function subscribe(l: () => void) {
  listeners.add(l)
  return () => listeners.delete(l)
}
const snapshot = () => window.location.pathname + window.location.search

export function navigate(to: string, opts: { replace?: boolean } = {}) {
  if (to === snapshot()) return
  if (opts.replace) window.history.replaceState(null, '', to)
  else window.history.pushState(null, '', to)
  window.scrollTo?.(0, 0)
  emit()
}

/** useLocation returns the current path and query, re-rendering on change. */
export function useLocation(): { path: string; query: URLSearchParams } {
  const loc = useSyncExternalStore(subscribe, snapshot, () => '/')
  const i = loc.indexOf('?')
  return { path: i < 0 ? loc : loc.slice(0, i), query: new URLSearchParams(i < 0 ? '' : loc.slice(i)) }
}

/** setQuery replaces query parameters without adding a history entry. */
export function setQuery(params: Record<string, string | number | null | undefined>) {
  const q = new URLSearchParams(window.location.search)
  for (const [k, v] of Object.entries(params)) {
    if (v === null || v === undefined || v === '') q.delete(k)
    else q.set(k, String(v))
  }
  const s = q.toString()
  navigate(window.location.pathname + (s ? '?' + s : ''), { replace: true })
}

/** match compares a path to a pattern and returns its parameters or null. */
export function match(pattern: string, path: string): Record<string, string> | null {
  const p = pattern.split('/').filter(Boolean)
  const s = path.split('/').filter(Boolean)
  if (p.length !== s.length) return null
  const params: Record<string, string> = {}
  for (let i = 0; i < p.length; i++) {
    if (p[i].startsWith(':')) {
      try {
        params[p[i].slice(1)] = decodeURIComponent(s[i])
      } catch {
        return null
      }
    } else if (p[i] !== s[i]) return null
  }
  return params
}

export type Route<T> = { path: string; value: T }

/** resolve finds the first route matching path. */
export function resolve<T>(routes: Route<T>[], path: string): { value: T; params: Record<string, string> } | null {
  for (const r of routes) {
    const params = match(r.path, path)
    if (params) return { value: r.value, params }
  }
  return null
}

type LinkProps = AnchorHTMLAttributes<HTMLAnchorElement> & { to: string }

export function Link({ to, onClick, ...rest }: LinkProps) {
  const handle = (e: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(e)
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return
    if (rest.target && rest.target !== '_self') return
    e.preventDefault()
    navigate(to)
  }
  return <a href={to} onClick={handle} {...rest} />
}

export function Redirect({ to }: { to: string }) {
  useEffect(() => navigate(to, { replace: true }), [to])
  return null
}
