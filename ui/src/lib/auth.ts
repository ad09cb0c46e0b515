import { useSyncExternalStore } from 'react'
import { pb, type AuthUser } from './pb'

// The signed-in user, re-rendering whenever PocketBase's auth store changes.

let cached: AuthUser | null = null
let cachedKey = ''
function read(): AuthUser | null {
  const rec = pb.authStore.isValid ? (pb.authStore.record as unknown as AuthUser | null) : null
  const key = pb.authStore.token + '|' + JSON.stringify(rec)
  if (key !== cachedKey) {
    cachedKey = key
    cached = rec
  }
  return cached
}

function subscribe(l: () => void) {
  return pb.authStore.onChange(() => l())
}

export function useAuth(): AuthUser | null {
  return useSyncExternalStore(subscribe, read, read)
}

export function logout() {
  pb.realtime.unsubscribe().catch(() => {})
  pb.authStore.clear()
}

/** refreshAuth re-reads the user so a role change or deactivation takes effect. */
export async function refreshAuth(): Promise<void> {
  if (!pb.authStore.isValid || pb.authStore.record?.collectionName !== 'users') return
  try {
    await pb.collection('users').authRefresh()
  } catch (err) {
    const status = (err as { status?: number }).status
    if (status === 401 || status === 403 || status === 404) pb.authStore.clear()
  }
}
