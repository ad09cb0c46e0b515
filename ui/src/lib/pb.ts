import PocketBase, { ClientResponseError } from 'pocketbase'

// One client for the whole SPA, talking to the same origin that served it.
export const pb = new PocketBase(typeof window === 'undefined' ? 'http://127.0.0.1:8090' : window.location.origin)
pb.autoCancellation(false)

export type AuthUser = {
  id: string
  email?: string
  name?: string
  role: string
  active?: boolean
  collectionName?: string
}

export function currentUser(): AuthUser | null {
  const r = pb.authStore.record as unknown as AuthUser | null
  if (!r || !pb.authStore.isValid) return null
  return r
}

/** errorMessage turns any thrown value into a sentence for the user. */
export function errorMessage(err: unknown): string {
  if (err instanceof ClientResponseError) {
    if (err.status === 0) return 'The server could not be reached.'
    const data = err.response?.data as Record<string, { message?: string }> | undefined
    const fields = data ? Object.entries(data).filter(([, v]) => v && typeof v === 'object' && v.message) : []
    const base = err.response?.message || err.message || `Request failed (${err.status})`
    if (fields.length) return `${base} ${fields.map(([k, v]) => `${k}: ${v.message}`).join('; ')}`
    return base
  }
  if (err instanceof Error) return err.message
  return String(err)
}

/** errorStatus is the HTTP status of a failed request, or 0. */
export function errorStatus(err: unknown): number {
  return err instanceof ClientResponseError ? err.status : 0
}

/** api calls an /api/aegis route with the current token and JSON in and out. */
export async function api<T>(path: string, init: { method?: string; body?: unknown; form?: FormData } = {}): Promise<T> {
  return pb.send<T>(path, {
    method: init.method ?? (init.body || init.form ? 'POST' : 'GET'),
    body: init.form ?? (init.body !== undefined ? JSON.stringify(init.body) : undefined),
    headers: init.form ? undefined : { 'Content-Type': 'application/json' },
  })
}

/** esc quotes a value for a PocketBase filter expression. */
export function esc(v: string): string {
  return "'" + v.replace(/\\/g, '\\\\').replace(/'/g, "\\'") + "'"
}
