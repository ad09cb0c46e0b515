// Shared setup of the loop-<role> journeys (e2e/journeys/loop-*.mjs): a
// fresh server with the first admin, one user per role, the mini ATT&CK
// bundle imported, and sign-in helpers. Not a journey itself.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { startServer, superuserClient, launch, newPage, signInPage } from './harness.mjs'

export const FIXTURE = join(new URL('.', import.meta.url).pathname, 'fixtures', 'attack-mini.json')
export const PEOPLE = {
  admin: { name: 'Ada Admin', email: 'ada@example.com', password: 'correct-horse-42', role: 'admin' },
  red_lead: { name: 'Rita Redlead', email: 'rita@example.com', password: 'red-lead-secret-9', role: 'red_lead' },
  red_operator: { name: 'Oscar Operator', email: 'oscar@example.com', password: 'red-op-secret-99', role: 'red_operator' },
  blue_lead: { name: 'Bianca Bluelead', email: 'bianca@example.com', password: 'blue-lead-secret-9', role: 'blue_lead' },
  blue_analyst: { name: 'Ben Analyst', email: 'ben@example.com', password: 'blue-an-secret-99', role: 'blue_analyst' },
}

/** setup starts a server with everyone and ATT&CK; ids maps role → user id. */
export async function setup() {
  const server = await startServer()
  const su = await superuserClient(server.base, server.su)
  const a = PEOPLE.admin
  const r = await fetch(`${server.base}/api/aegis/setup`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ ...a, passwordConfirm: a.password }) })
  if (!r.ok) throw new Error(`setup: ${r.status} ${await r.text()}`)
  const ids = {}
  for (const [role, p] of Object.entries(PEOPLE)) {
    if (role === 'admin') continue
    ids[role] = (await su('POST', '/api/collections/users/records', { ...p, passwordConfirm: p.password, active: true })).id
  }
  ids.admin = (await su('GET', `/api/collections/users/records?filter=${encodeURIComponent(`email='${a.email}'`)}`)).items[0].id
  await importAttack(server)
  const browser = await launch()
  return { server, su, ids, browser }
}

/** importAttack uploads the mini bundle as the superuser and waits for the job. */
async function importAttack(server) {
  const auth = await fetch(`${server.base}/api/collections/_superusers/auth-with-password`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ identity: server.su.email, password: server.su.password }) })
  const { token } = await auth.json()
  const form = new FormData()
  form.append('file', new Blob([readFileSync(FIXTURE)], { type: 'application/json' }), 'attack-mini.json')
  const res = await fetch(`${server.base}/api/aegis/import/attack`, { method: 'POST', headers: { Authorization: token }, body: form })
  if (!res.ok) throw new Error(`import: ${res.status} ${await res.text()}`)
  const { job_run } = await res.json()
  for (let i = 0; i < 200; i++) {
    const run = await (await fetch(`${server.base}/api/collections/job_runs/records/${job_run.id}`, { headers: { Authorization: token } })).json()
    if (run.status === 'succeeded') return
    if (run.status === 'failed') throw new Error(`import failed: ${JSON.stringify(run)}`)
    await new Promise((ok) => setTimeout(ok, 150))
  }
  throw new Error('import did not finish')
}

export async function signIn(browser, base, role) {
  const page = await newPage(browser, base)
  await signInPage(page, PEOPLE[role])
  return page
}

/** technique finds a technique record by ATT&CK id. */
export async function technique(su, id) {
  return (await su('GET', `/api/collections/techniques/records?filter=${encodeURIComponent(`attack_id='${id}'`)}`)).items[0]
}

/** poll waits until fn() is truthy. */
export async function poll(what, fn, ms = 10_000) {
  const end = Date.now() + ms
  for (;;) {
    const v = await fn()
    if (v) return v
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((ok) => setTimeout(ok, 100))
  }
}

/** templateProcedureText is the procedure the UI writes for a template
 *  (ui/src/pages/content/Library.tsx templateProcedure). */
export function templateProcedureText(t) {
  const ex = t.executor ?? {}
  const lang = (ex.name ?? '').toLowerCase().replace(/[^a-z0-9_+-]/g, '')
  const fence = (s) => '```' + lang + '\n' + s.trim() + '\n```'
  const cleanup = (ex.cleanup_command || ex.cleanup || '').trim()
  return [t.description?.trim(), ex.command ? `### Run${ex.name ? ` (${ex.name})` : ''}\n\n${fence(ex.command)}` : '', cleanup ? `### Cleanup\n\n${fence(cleanup)}` : ''].filter(Boolean).join('\n\n')
}
