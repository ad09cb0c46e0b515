import { api, pb } from './pb'

// The work pages name a technique and people on every card. Expanding
// those relations on every row reads each technique's full record (its
// ATT&CK texts) and each user again per row; instead a page reads the
// technique names once from the coverage model (kept per model
// generation) and the users once, and names the rows from them.

export type TechRef = { id: string; attack_id: string; name: string }
export type UserRef = { id: string; name: string; email: string }
export type Refs = { tech: Map<string, TechRef>; user: Map<string, UserRef> }

/** loadRefs reads every technique (retired ones too: a test may point at one) and every user, by id. */
export async function loadRefs(): Promise<Refs> {
  const [techs, users] = await Promise.all([
    api<{ items: TechRef[] }>('/api/aegis/coverage/techniques?domain=any&retired=1').then((r) => r.items ?? []),
    pb.collection('users').getFullList<UserRef>({ fields: 'id,name,email', batch: 1000 }),
  ])
  return { tech: new Map(techs.map((t) => [t.id, t])), user: new Map(users.map((u) => [u.id, u])) }
}

/** named fills a row's expand from refs for the relations listed (relation field → 'tech' | 'user'), keeping any expand it already has. */
export function named<T extends { expand?: Record<string, unknown> }>(row: T, refs: Refs | null | undefined, rels: Record<string, 'tech' | 'user'>): T {
  if (!refs) return row
  const expand: Record<string, unknown> = { ...(row.expand ?? {}) }
  for (const [field, kind] of Object.entries(rels)) {
    if (expand[field]) continue
    const id = (row as unknown as Record<string, unknown>)[field]
    if (typeof id !== 'string' || !id) continue
    const ref = kind === 'tech' ? refs.tech.get(id) : refs.user.get(id)
    if (ref) expand[field] = ref
  }
  return { ...row, expand } as T
}
