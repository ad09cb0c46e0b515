import { useState } from 'react'
import { api,} from '../../lib/pb'
import { useSubmit } from '../../lib/submit'
import { useLoad } from '../../lib/data'
import { ROLES, roleLabel } from '../../lib/roles'
import { Alert, Icon, Button, Card, Checkbox, Select, Spinner, TextInput, useToast } from '../../ds'
import { roleMapRows, rowsToRoleMap } from '../../lib/roleMap'

// The sign-in policy: password length, sessions, lockout, required
// authenticators and single sign-on. The client secret is write-only.

export type Policy = {
  password_min_length: number
  session_hours: number
  lockout: { threshold: number; window_minutes: number }
  mfa_required_roles: string[] | null
  sso: { enabled: boolean; display_name: string; client_id: string; auth_url: string; token_url: string; userinfo_url: string; role_claim: string; role_map: Record<string, string> | null; default_role: string }
}
type Answer = { policy: Policy; sso_client_secret_set: boolean }

export function SecurityPolicy() {
  const res = useLoad(() => api<Answer>('/api/aegis/security'), [])
  if (res.loading && !res.data) return <Spinner />
  if (res.error) return <Alert>{res.error}</Alert>
  return <PolicyForm initial={res.data!} onSaved={res.set} />
}

function PolicyForm({ initial, onSaved }: { initial: Answer; onSaved: (a: Answer) => void }) {
  const toast = useToast()
  const [p, setP] = useState<Policy>(initial.policy)
  const [rows, setRows] = useState(roleMapRows(initial.policy.sso?.role_map))
  const [secret, setSecret] = useState('')
  const { busy, error, run } = useSubmit()
  const sso = p.sso
  const setSso = (x: Partial<Policy['sso']>) => setP({ ...p, sso: { ...sso, ...x } })
  const mfa = p.mfa_required_roles ?? []
  const save = () =>
    run(async () => {
      const body: Record<string, unknown> = { policy: { ...p, sso: { ...sso, role_map: rowsToRoleMap(rows) } } }
      if (secret) body.sso_client_secret = secret
      const a = await api<Answer>('/api/aegis/security', { method: 'PUT', body })
      onSaved(a)
      setSecret('')
      toast.push({ title: 'Security policy saved', tone: 'success' })
    })
  const int = (v: string) => (v === '' ? 0 : Math.trunc(Number(v)))
  return (
    <div className="stack">
      {error && <Alert>{error}</Alert>}
      <Card title="Passwords and sessions" actions={<Button variant="primary" busy={busy} onClick={save}>Save security policy</Button>}>
        <div className="auto-grid cell-200">
          <TextInput label="Minimum password length" type="number" min={8} value={p.password_min_length} onChange={(e) => setP({ ...p, password_min_length: int(e.target.value) })} />
          <TextInput label="Session lifetime (hours)" type="number" min={1} value={p.session_hours} onChange={(e) => setP({ ...p, session_hours: int(e.target.value) })} />
          <TextInput label="Lockout after failures" hint="0 turns lockout off" type="number" min={0} value={p.lockout?.threshold ?? 0} onChange={(e) => setP({ ...p, lockout: { ...p.lockout, threshold: int(e.target.value) } })} />
          <TextInput label="Lockout window (minutes)" type="number" min={1} value={p.lockout?.window_minutes ?? 15} onChange={(e) => setP({ ...p, lockout: { ...p.lockout, window_minutes: int(e.target.value) } })} />
        </div>
        <h3>Roles that must use an authenticator app</h3>
        <div className="row">
          {ROLES.map((r) => (
            <Checkbox key={r} label={roleLabel(r)} checked={mfa.includes(r)} onChange={(e) => setP({ ...p, mfa_required_roles: e.target.checked ? [...mfa, r] : mfa.filter((x) => x !== r) })} />
          ))}
        </div>
      </Card>
      <Card title="Single sign-on (OpenID Connect)">
        <div className="stack">
          <Checkbox label="Enable sign-in with an OpenID Connect provider" checked={!!sso.enabled} onChange={(e) => setSso({ enabled: e.target.checked })} />
          <div className="auto-grid cell-260">
            <TextInput label="Button name" placeholder="Company SSO" value={sso.display_name ?? ''} onChange={(e) => setSso({ display_name: e.target.value })} />
            <TextInput label="Client id" value={sso.client_id ?? ''} onChange={(e) => setSso({ client_id: e.target.value })} />
            <TextInput label="Client secret" type="password" autoComplete="new-password" placeholder={initial.sso_client_secret_set ? '•••••••• (set — type to replace)' : 'Not set'} value={secret} onChange={(e) => setSecret(e.target.value)} hint="Write-only: never shown again." />
            <TextInput label="Authorization URL" type="url" value={sso.auth_url ?? ''} onChange={(e) => setSso({ auth_url: e.target.value })} />
            <TextInput label="Token URL" type="url" value={sso.token_url ?? ''} onChange={(e) => setSso({ token_url: e.target.value })} />
            <TextInput label="User info URL" type="url" value={sso.userinfo_url ?? ''} onChange={(e) => setSso({ userinfo_url: e.target.value })} />
            <TextInput label="Role claim" placeholder="groups" value={sso.role_claim ?? ''} onChange={(e) => setSso({ role_claim: e.target.value })} />
            <Select label="Default role" placeholder="Refuse unmapped accounts" options={ROLES.map((r) => ({ value: r, label: roleLabel(r) }))} value={sso.default_role ?? ''} onChange={(e) => setSso({ default_role: e.target.value })} />
          </div>
          <h3>Role map</h3>
          <p className="faint small m0">A claim value (group name) maps to an Aegis role.</p>
          {rows.map((r, i) => (
            <div className="row" key={i}>
              <input className="input" aria-label="Claim value" placeholder="purple-admins" value={r.claim} onChange={(e) => setRows(rows.map((x, j) => (j === i ? { ...x, claim: e.target.value } : x)))} />
              <span>→</span>
              <Select aria-label="Role" options={ROLES.map((x) => ({ value: x, label: roleLabel(x) }))} value={r.role} onChange={(e) => setRows(rows.map((x, j) => (j === i ? { ...x, role: e.target.value } : x)))} />
              <Button size="small" variant="ghost" onClick={() => setRows(rows.filter((_, j) => j !== i))} aria-label="Remove mapping"><Icon name="close" /></Button>
            </div>
          ))}
          <div>
            <Button size="small" onClick={() => setRows([...rows, { claim: '', role: 'viewer' }])}>Add mapping</Button>
          </div>
        </div>
      </Card>
    </div>
  )
}
