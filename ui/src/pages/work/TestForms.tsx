import { useState } from 'react'
import type { RecordModel } from 'pocketbase'
import { api, pb } from '../../lib/pb'
import { useLoad } from '../../lib/data'
import { useCampaigns } from '../../lib/campaigns'
import { humanize } from '../../lib/format'
import { Button, FormDialog, Select, TextArea, TextInput, useToast } from '../../ds'
import { TechniquePicker, type PickedTechnique } from '../../components/TechniquePicker'
import { asArray } from '../../lib/format'
import { R } from '../../lib/roles'

// Forms shared by the tests page and the campaign editor: a new test with
// or without a template, and the bulk actions of POST /api/aegis/tests/bulk.

export type UserLite = RecordModel & { name: string; email: string; role: string }

export function useUsers(roles: string[]) {
  const key = roles.join(',')
  return useLoad(() => pb.collection('users').getFullList<UserLite>({ filter: `active = true && (${roles.map((r) => `role = '${r}'`).join(' || ')})`, sort: 'name', fields: 'id,name,email,role' }), [key])
}

export const userLabel = (u?: { name?: string; email?: string } | null) => (u ? u.name || u.email || '' : '')

let catalogue: Promise<string[]> | null = null

/** cataloguePlatforms lists the ATT&CK platforms the techniques name (read once per page load). */
export function cataloguePlatforms(): Promise<string[]> {
  catalogue ??= pb
    .collection('techniques')
    .getFullList<{ platforms: unknown }>({ filter: 'revoked = false && deprecated = false', fields: 'platforms', batch: 1000 })
    .then((rows) => [...new Set(rows.flatMap((r) => asArray<string>(r.platforms)))].sort((a, b) => a.localeCompare(b)))
    .catch((err) => {
      catalogue = null
      throw err
    })
  return catalogue
}

/** platformOptions puts the technique's own platforms first, then the rest of the catalogue, and keeps a value the catalogue does not know. */
export function platformOptions(all: string[], technique: string[], value: string) {
  const lower = (p: string) => p.toLowerCase()
  const own = new Set(technique.map(lower))
  const opt = (p: string) => ({ value: lower(p), label: own.size && own.has(lower(p)) ? `${p} (this technique)` : p })
  const known = [...all.filter((p) => own.has(lower(p))), ...all.filter((p) => !own.has(lower(p)))].map(opt)
  if (value && !known.some((o) => o.value === lower(value))) known.push({ value, label: value })
  return known
}

/** PlatformSelect picks a test's platform among the ATT&CK platforms of the catalogue. */
export function PlatformSelect({ value, onChange, technique }: { value: string; onChange: (v: string) => void; technique?: unknown }) {
  const all = useLoad(() => cataloguePlatforms(), [])
  const options = platformOptions(all.data ?? [], asArray<string>(technique), value)
  const shown = options.some((o) => o.value === value.toLowerCase()) ? value.toLowerCase() : value
  return <Select label="Platform" placeholder="Any platform" options={options} value={shown} onChange={(e) => onChange(e.target.value)} data-testid="test-platform" />
}

/** NewTest creates a draft test by hand: a technique and a custom procedure. */
export function NewTest({ campaign, onClose, onCreated }: { campaign?: string; onClose: () => void; onCreated: (id: string) => void }) {
  const campaigns = useCampaigns()
  const [name, setName] = useState('')
  const [tech, setTech] = useState<PickedTechnique | null>(null)
  const [camp, setCamp] = useState(campaign ?? '')
  const [platform, setPlatform] = useState('')
  const [procedure, setProcedure] = useState('')
  const submit = async () => {
    if (!tech) throw new Error('Choose a technique.')
    const rec = await pb.collection('tests').create({ name: name || `${tech.attack_id} ${tech.name}`, technique: tech.id, campaign: camp || undefined, platform, procedure })
    onCreated(rec.id)
  }
  return (
    <FormDialog title="New test" wide onClose={onClose} onSubmit={submit} submitLabel="Create draft">
        <TechniquePicker
          value={tech}
          onChange={(t) => {
            setTech(t)
            if (t && !platform) setPlatform(asArray<string>(t.platforms)[0]?.toLowerCase() ?? '')
          }}
          required
        />
        <TextInput label="Name" value={name} onChange={(e) => setName(e.target.value)} placeholder={tech ? `${tech.attack_id} ${tech.name}` : 'Defaults to the technique'} />
        {!campaign && <Select label="Campaign" placeholder="No campaign" options={(campaigns.data ?? []).filter((c) => c.status !== 'archived').map((c) => ({ value: c.id, label: c.name }))} value={camp} onChange={(e) => setCamp(e.target.value)} />}
        <PlatformSelect value={platform} onChange={setPlatform} technique={tech?.platforms} />
        <TextArea label="Procedure (Markdown)" rows={8} value={procedure} onChange={(e) => setProcedure(e.target.value)} placeholder={'What to run, step by step.\n\n```powershell\nGet-Process lsass\n```'} />
    </FormDialog>
  )
}

const BULK_LABELS: Record<string, string> = { assign: 'Assign', approve: 'Approve', move: 'Move to campaign', cancel: 'Cancel', retest: 'Retest' }

/** BulkBar runs one bulk action on the selected tests, all or nothing. */
export function BulkBar({ ids, role, onDone, onClear }: { ids: string[]; role: string; onDone: () => void; onClear: () => void }) {
  const [action, setAction] = useState('')
  const blueLead = role === R.blue_lead
  const actions = blueLead ? ['assign'] : ['assign', 'approve', 'move', 'cancel', 'retest']
  return (
    <div className="row bulk-bar" data-testid="bulk-bar">
      <b>{ids.length} selected</b>
      {actions.map((a) => (
        <Button key={a} size="small" variant={a === 'cancel' ? 'danger' : 'default'} onClick={() => (a === 'retest' ? setAction('retest') : setAction(a))} data-testid={`bulk-${a}`}>
          {BULK_LABELS[a]}
        </Button>
      ))}
      <Button size="small" variant="ghost" onClick={onClear}>
        Clear selection
      </Button>
      {action && <BulkForm action={action} ids={ids} blueLead={blueLead} onClose={() => setAction('')} onDone={() => (setAction(''), onDone())} />}
    </div>
  )
}

function BulkForm({ action, ids, blueLead, onClose, onDone }: { action: string; ids: string[]; blueLead: boolean; onClose: () => void; onDone: () => void }) {
  const toast = useToast()
  const red = useUsers([R.red_operator, R.red_lead, R.admin])
  const blue = useUsers([R.blue_analyst, R.blue_lead, R.admin])
  const campaigns = useCampaigns()
  const [f, setF] = useState({ red_assignee: '', blue_assignee: '', campaign: '', reason: '' })
  const set = (k: keyof typeof f) => (e: { target: { value: string } }) => setF((x) => ({ ...x, [k]: e.target.value }))
  const submit = async () => {
    const body: Record<string, unknown> = { action, ids }
    for (const [k, v] of Object.entries(f)) if (v) body[k] = v
    const r = await api<{ tests: unknown[] }>('/api/aegis/tests/bulk', { method: 'POST', body })
    toast.push({ title: `${BULK_LABELS[action]}: ${r.tests?.length ?? 0} test(s)`, tone: 'success' })
    onDone()
  }
  const users = (l: UserLite[] | null) => (l ?? []).map((u) => ({ value: u.id, label: `${userLabel(u)} (${humanize(u.role)})` }))
  return (
    <FormDialog
      title={`${BULK_LABELS[action]} · ${ids.length} test(s)`}
      onClose={onClose}
      onSubmit={submit}
      cancelLabel="Close"
      submitLabel={BULK_LABELS[action]}
      variant={action === 'cancel' ? 'danger' : 'primary'}
      submitTestId="bulk-submit"
    >
        <p className="muted m0">
          All or nothing: if one test refuses, none changes.
        </p>
        {(action === 'assign' || action === 'approve') && !blueLead && <Select label="Red operator" placeholder={action === 'approve' ? 'Keep each test’s operator' : 'Unchanged'} options={users(red.data)} value={f.red_assignee} onChange={set('red_assignee')} />}
        {(action === 'assign' || action === 'approve') && <Select label="Blue analyst" placeholder="Unchanged" options={users(blue.data)} value={f.blue_assignee} onChange={set('blue_assignee')} />}
        {action === 'move' && <Select label="Campaign" required placeholder="Choose a campaign" options={(campaigns.data ?? []).map((c) => ({ value: c.id, label: c.name }))} value={f.campaign} onChange={set('campaign')} />}
        {action === 'cancel' && <TextArea label="Reason" required value={f.reason} onChange={set('reason')} />}
        {action === 'retest' && <p className="m0">Each validated or closed test gets a new draft that repeats it.</p>}
    </FormDialog>
  )
}
