import { useState } from 'react'
import { api, errorMessage, pb } from '../lib/pb'
import { useSubmit } from '../lib/submit'
import { Alert, Button, Checkbox, FormDialog, Select, TextInput } from '../ds'
import { CronField } from './CronField'
import { SOURCE_KIND_LABELS } from './importKinds'

// Create or edit an integration (loaded on demand): what it imports, where
// from (a path, a URL, a GitHub repository or a TAXII collection), a
// write-only token, a schedule read aloud, "test connection" before saving.

export type IntegrationSource = { spec?: string; collection?: string; username?: string; token_set?: boolean; password_set?: boolean }
export type IntegrationLike = { id: string; kind: string; name: string; enabled: boolean; schedule: string; source: IntegrationSource | null }


type Where = 'path' | 'url' | 'github' | 'taxii'

/** splitSpec reads a stored spec back into the form's parts. */
export function splitSpec(spec: string): { where: Where; path: string; url: string; repo: string; ref: string; dir: string; taxii: string } {
  const out = { where: 'path' as Where, path: '', url: '', repo: '', ref: '', dir: '', taxii: '' }
  if (spec.startsWith('github:')) {
    const m = spec.slice(7).match(/^([^/@]+\/[^/@]+)(?:@([^/]+))?(?:\/(.*))?$/)
    return { ...out, where: 'github', repo: m?.[1] ?? '', ref: m?.[2] ?? '', dir: m?.[3] ?? '' }
  }
  if (spec.startsWith('taxii+') || spec.startsWith('taxii:')) return { ...out, where: 'taxii', taxii: spec.replace(/^taxii\+|^taxii:/, '') }
  if (/^https?:\/\//.test(spec)) return { ...out, where: 'url', url: spec }
  return { ...out, path: spec }
}

/** joinSpec builds the spec the importers open. */
export function joinSpec(p: ReturnType<typeof splitSpec>): string {
  switch (p.where) {
    case 'github':
      return p.repo.trim() ? `github:${p.repo.trim()}${p.ref.trim() ? `@${p.ref.trim()}` : ''}${p.dir.trim() ? `/${p.dir.trim().replace(/^\/+/, '')}` : ''}` : ''
    case 'taxii':
      return p.taxii.trim() ? `taxii+${p.taxii.trim().replace(/^taxii\+/, '')}` : ''
    case 'url':
      return p.url.trim()
    default:
      return p.path.trim()
  }
}

export default function IntegrationForm({ initial, onClose, onSaved }: { initial: IntegrationLike | null; onClose: () => void; onSaved: () => void }) {
  const src = initial?.source ?? {}
  const [kind, setKind] = useState(initial?.kind ?? 'sigma')
  const [name, setName] = useState(initial?.name ?? '')
  const [enabled, setEnabled] = useState(initial?.enabled ?? true)
  const [schedule, setSchedule] = useState(initial?.schedule ?? '0 3 * * *')
  const [where, setWhere] = useState(splitSpec(src.spec ?? ''))
  const [collection, setCollection] = useState(src.collection ?? '')
  const [username, setUsername] = useState(src.username ?? '')
  const [token, setToken] = useState('')
  const [password, setPassword] = useState('')
  const [clearToken, setClearToken] = useState(false)
  const probing = useSubmit()
  const [probe, setProbe] = useState<{ ok: boolean; message: string } | null>(null)
  const spec = joinSpec(where)
  const part = (k: keyof typeof where) => (e: { target: { value: string } }) => (setWhere((x) => ({ ...x, [k]: e.target.value })), setProbe(null))
  const source = () => {
    const s: Record<string, unknown> = { spec }
    if (token) s.token = token
    if (clearToken) s.clear_token = true
    if (where.where === 'taxii') {
      if (collection) s.collection = collection
      if (username) s.username = username
      if (password) s.password = password
    }
    return s
  }
  const test = () =>
    probing.run(async () => {
      setProbe(null)
      try {
        setProbe(await api<{ ok: boolean; message: string }>('/api/aegis/integrations/test', { method: 'POST', body: { id: initial?.id, kind, source: source() } }))
      } catch (err) {
        setProbe({ ok: false, message: errorMessage(err) })
      }
    })
  const save = async () => {
    const body = { kind, name, enabled, schedule: schedule.trim(), source: source() }
    if (initial) await pb.collection('integrations').update(initial.id, body)
    else await pb.collection('integrations').create(body)
    onSaved()
  }
  return (
    <FormDialog
      title={initial ? `Edit source · ${initial.name}` : 'Add a source'}
      wide
      onClose={onClose}
      onSubmit={save}
      submitTestId="save-integration"
      actions={
        <Button onClick={test} busy={probing.busy} disabled={!spec} data-testid="test-connection">
          Test connection
        </Button>
      }
    >
        <div className="grid-2">
          <Select label="What it imports" options={Object.entries(SOURCE_KIND_LABELS).map(([value, label]) => ({ value, label }))} value={kind} onChange={(e) => setKind(e.target.value)} />
          <TextInput label="Name" required value={name} onChange={(e) => setName(e.target.value)} placeholder="e.g. SigmaHQ rules (mirror)" />
        </div>
        <Select
          label="Where it is"
          options={[
            { value: 'path', label: 'A file or folder on this server' },
            { value: 'url', label: 'A URL (file or archive)' },
            { value: 'github', label: 'A GitHub repository' },
            { value: 'taxii', label: 'A TAXII 2.x collection' },
          ]}
          value={where.where}
          onChange={(e) => (setWhere((x) => ({ ...x, where: e.target.value as Where })), setProbe(null))}
        />
        {where.where === 'path' && <TextInput label="Path" value={where.path} onChange={part('path')} placeholder="/srv/aegis/sigma/rules" hint="A folder, a file or an archive (.zip, .tar.gz, .tar.zst)." />}
        {where.where === 'url' && <TextInput label="URL" value={where.url} onChange={part('url')} placeholder="https://example.org/rules.tar.gz" />}
        {where.where === 'github' && (
          <div className="grid-2">
            <TextInput label="Repository" value={where.repo} onChange={part('repo')} placeholder="SigmaHQ/sigma" />
            <TextInput label="Branch, tag or commit" value={where.ref} onChange={part('ref')} placeholder="default branch" />
            <TextInput label="Folder in the repository" value={where.dir} onChange={part('dir')} placeholder="rules/windows" />
          </div>
        )}
        {where.where === 'taxii' && (
          <>
            <TextInput label="TAXII URL" value={where.taxii} onChange={part('taxii')} placeholder="https://attack-taxii.mitre.org/api/v21/collections/…/" />
            <div className="grid-2">
              <TextInput label="Collection (id or title)" value={collection} onChange={(e) => setCollection(e.target.value)} placeholder="when the URL is an API root" />
              <TextInput label="Username" value={username} onChange={(e) => setUsername(e.target.value)} autoComplete="off" />
              <TextInput label="Password" type="password" value={password} onChange={(e) => setPassword(e.target.value)} autoComplete="new-password" placeholder={src.password_set ? '•••••• stored — leave empty to keep' : ''} />
            </div>
          </>
        )}
        <div className="faint small" data-testid="integration-spec">
          Source: <code>{spec || '—'}</code>
        </div>
        {where.where !== 'path' && (
          <div className="stack tight">
            <TextInput label={where.where === 'github' ? 'GitHub token' : 'Bearer token'} type="password" autoComplete="new-password" value={token} onChange={(e) => setToken(e.target.value)} placeholder={src.token_set ? '•••••• stored — leave empty to keep' : 'optional'} hint="Write-only: it is never shown again." />
            {src.token_set && <Checkbox label="Remove the stored token" checked={clearToken} onChange={(e) => setClearToken(e.target.checked)} />}
          </div>
        )}
        <CronField label="Schedule (UTC)" value={schedule} onChange={setSchedule} />
        <Checkbox label="Enabled: the schedule runs it" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} />
        {probe && (
          <Alert tone={probe.ok ? 'success' : 'error'}>
            <span data-testid="probe-result">{probe.message}</span>
          </Alert>
        )}
    </FormDialog>
  )
}
