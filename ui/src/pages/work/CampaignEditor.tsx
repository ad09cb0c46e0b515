import { lazy, Suspense, useState } from 'react'
import { api, esc, pb } from '../../lib/pb'
import { useLoad } from '../../lib/data'
import { useSubmit } from '../../lib/submit'
import { R } from '../../lib/roles'
import { asArray, humanize } from '../../lib/format'
import { Alert, Badge, Button, Checkbox, FilterBar, FormDialog, Modal, Select, Spinner, Tabs, TextArea, TextInput, useToast } from '../../ds'
import { CronField } from '../../components/CronField'
import { TechniquePicker, type PickedTechnique } from '../../components/TechniquePicker'
import { argRows } from '../../components/args'
import { ArgTable } from '../../components/ArgTable'
import { templateProcedure, type Template } from '../content/Library'
import type { Campaign } from './Campaigns'

const MatrixPicker = lazy(() => import('../../components/MatrixPicker'))
import { NewTest, useUsers, userLabel } from './TestForms'

// The campaign editor (loaded on demand): edit a campaign's plan, add tests
// by technique, from a library template or by hand, clone it.

export const PLATFORMS = ['windows', 'linux', 'macos', 'azure-ad', 'office-365', 'iaas', 'saas', 'containers', 'network']

const dateInput = (s?: string) => (s ? s.slice(0, 10) : '')
const dateOut = (s: string) => (s ? `${s} 00:00:00.000Z` : '')

export function EditCampaign({ c, onClose, onSaved }: { c: Campaign; onClose: () => void; onSaved: (c: Campaign) => void }) {
  const owners = useUsers([R.red_lead, R.admin])
  const [f, setF] = useState({
    name: c.name,
    description: c.description ?? '',
    start_at: dateInput(c.start_at),
    end_at: dateInput(c.end_at),
    owner: c.owner ?? '',
    tags: asArray<string>((c as unknown as { tags?: unknown }).tags).join(', '),
    platforms: asArray<string>((c as unknown as { platforms?: unknown }).platforms),
    blind: !!c.blind,
    recurrence: c.recurrence ?? '',
  })
  const set = (k: keyof typeof f) => (e: { target: { value: string } }) => setF((x) => ({ ...x, [k]: e.target.value }))
  const save = async () => {
    if (f.start_at && f.end_at && f.end_at < f.start_at) throw new Error('The end date is before the start date.')
    const body = {
        name: f.name,
        description: f.description,
        start_at: dateOut(f.start_at),
        end_at: dateOut(f.end_at),
        owner: f.owner,
        tags: f.tags.split(',').map((t) => t.trim()).filter(Boolean),
        platforms: f.platforms,
        blind: f.blind,
        recurrence: f.recurrence.trim(),
      }
    onSaved(await pb.collection('campaigns').update<Campaign>(c.id, body, { expand: 'threat_actor,owner' }))
  }
  return (
    <FormDialog title={`Edit · ${c.name}`} wide onClose={onClose} onSubmit={save} submitTestId="save-campaign">
        <TextInput label="Name" required value={f.name} onChange={set('name')} />
        <TextArea label="Description (Markdown)" rows={4} value={f.description} onChange={set('description')} />
        <div className="grid-2">
          <TextInput label="Start" type="date" name="start_at" value={f.start_at} onChange={set('start_at')} />
          <TextInput label="End" type="date" name="end_at" value={f.end_at} onChange={set('end_at')} />
        </div>
        <div className="grid-2">
          <Select label="Owner" placeholder="Nobody" options={(owners.data ?? []).map((u) => ({ value: u.id, label: userLabel(u) }))} value={f.owner} onChange={set('owner')} />
          <TextInput label="Tags" value={f.tags} onChange={set('tags')} placeholder="comma separated" />
        </div>
        <fieldset className="row bare-fieldset">
          <legend className="small strong mb-4">
            Platforms
          </legend>
          {PLATFORMS.map((p) => (
            <Checkbox key={p} label={p} checked={f.platforms.includes(p)} onChange={(e) => setF((x) => ({ ...x, platforms: e.target.checked ? [...x.platforms, p] : x.platforms.filter((y) => y !== p) }))} />
          ))}
        </fieldset>
        <Checkbox label="Blind: blue sees a test only once a red lead reveals it" checked={f.blind} onChange={(e) => setF((x) => ({ ...x, blind: e.target.checked }))} />
        <CronField value={f.recurrence} onChange={(v) => setF((x) => ({ ...x, recurrence: v }))} name="recurrence" />
    </FormDialog>
  )
}

/** AddTests adds draft tests to a campaign: by technique, from a template or by hand. */
export function AddTests({ c, onClose, onAdded }: { c: Campaign; onClose: () => void; onAdded: () => void }) {
  const [tab, setTab] = useState('technique')
  const toast = useToast()
  const platforms = asArray<string>((c as unknown as { platforms?: unknown }).platforms)
  const done = (what: string) => {
    toast.push({ title: what, tone: 'success' })
    onAdded()
  }
  if (tab === 'custom') return <NewTest campaign={c.id} onClose={onClose} onCreated={() => (done('Custom test added'), onClose())} />
  return (
    <Modal title={`Add tests · ${c.name}`} wide onClose={onClose} footer={<Button onClick={onClose}>Close</Button>}>
      <div className="stack">
        <Tabs
          tabs={[
            { id: 'technique', label: 'By technique' },
            { id: 'matrix', label: 'Pick on the matrix' },
            { id: 'template', label: 'From the library' },
            { id: 'custom', label: 'Custom procedure' },
          ]}
          value={tab}
          onChange={setTab}
        />
        {tab === 'technique' && <ByTechnique campaign={c.id} platform={platforms[0] ?? ''} onAdded={(n) => done(n)} />}
        {tab === 'matrix' && (
          <Suspense fallback={<Spinner label="Loading the matrix…" />}>
            <MatrixPicker campaign={c.id} platform={platforms[0] ?? ''} onAdded={(n) => done(n)} />
          </Suspense>
        )}
        {tab === 'template' && <FromTemplate campaign={c.id} platforms={platforms} onAdded={(n) => done(n)} />}
      </div>
    </Modal>
  )
}

function ByTechnique({ campaign, platform, onAdded }: { campaign: string; platform: string; onAdded: (what: string) => void }) {
  const [tech, setTech] = useState<PickedTechnique | null>(null)
  const { busy, error, run } = useSubmit()
  const add = () =>
    tech &&
    run(async () => {
      await pb.collection('tests').create({ name: `${tech.attack_id} ${tech.name}`, technique: tech.id, campaign, platform })
      onAdded(`${tech.attack_id} added`)
      setTech(null)
    })
  return (
    <div className="stack">
      {error && <Alert>{error}</Alert>}
      <TechniquePicker value={tech} onChange={setTech} />
      <div>
        <Button variant="primary" disabled={!tech} busy={busy} onClick={add} data-testid="add-technique-test">
          Add a draft for this technique
        </Button>
      </div>
    </div>
  )
}

function FromTemplate({ campaign, platforms, onAdded }: { campaign: string; platforms: string[]; onAdded: (what: string) => void }) {
  const [q, setQ] = useState('')
  const [source, setSource] = useState('')
  const [picked, setPicked] = useState<Template | null>(null)
  const { busy, error, run } = useSubmit()
  const filter = [q && `(name ~ ${esc(q)} || technique_attack_id ~ ${esc(q)})`, source && `source = ${esc(source)}`].filter(Boolean).join(' && ')
  const list = useLoad(() => (q.trim().length < 2 ? Promise.resolve([] as Template[]) : pb.collection('test_templates').getList<Template>(1, 12, { filter, sort: 'technique_attack_id,name', skipTotal: true }).then((r) => r.items)), [filter])
  const add = () =>
    picked &&
    run(async () => {
      const tp = asArray<string>(picked.platforms)
      const platform = platforms.find((p) => tp.some((x) => x.toLowerCase() === p.toLowerCase())) ?? tp[0] ?? ''
      await pb.collection('tests').create({ name: `${picked.technique_attack_id} ${picked.name}`, technique: picked.technique, template: picked.id, campaign, platform, procedure: templateProcedure(picked) })
      onAdded(`${picked.name} added`)
      setPicked(null)
    })
  if (picked) {
    const rows = argRows(picked.input_arguments)
    return (
      <div className="stack">
        {error && <Alert>{error}</Alert>}
        <div className="row">
          <Badge>{humanize(picked.source)}</Badge> <code>{picked.technique_attack_id}</code> <b>{picked.name}</b>
          {asArray<string>(picked.platforms).map((p) => (
            <Badge key={p} tone="outline">
              {p}
            </Badge>
          ))}
        </div>
        <pre className="codeblock">{picked.executor?.command || 'No command (manual procedure).'}</pre>
        {rows.length > 0 && (
          <ArgTable rows={rows} label="Template arguments" />
        )}
        <div className="row">
          <Button variant="primary" busy={busy} onClick={add} data-testid="add-template-test">
            Add this test
          </Button>
          <Button onClick={() => setPicked(null)}>Back to the list</Button>
        </div>
      </div>
    )
  }
  return (
    <div className="stack">
      <FilterBar plain>
        <TextInput label="Search templates" placeholder="Technique id or name, e.g. T1003.001 or procdump" value={q} onChange={(e) => setQ(e.target.value)} data-testid="template-search" />
        <Select label="Source" placeholder="All" options={[{ value: 'atomic', label: 'Atomic Red Team' }, { value: 'caldera', label: 'CALDERA' }, { value: 'manual', label: 'Manual' }]} value={source} onChange={(e) => setSource(e.target.value)} />
      </FilterBar>
      {list.error && <Alert>{list.error}</Alert>}
      {(list.data ?? []).map((t) => (
        <button key={t.id} type="button" className="btn ghost left text-left" onClick={() => setPicked(t)} data-testid="template-hit">
          <Badge>{t.source}</Badge>&nbsp;<code>{t.technique_attack_id}</code>&nbsp;{t.name}
          {argRows(t.input_arguments).length > 0 && <span className="faint small">&nbsp;· {argRows(t.input_arguments).length} argument(s)</span>}
        </button>
      ))}
      {q.trim().length >= 2 && list.data?.length === 0 && <span className="faint">No template matches.</span>}
    </div>
  )
}

/** cloneCampaign copies a campaign's plan and its tests as fresh drafts
 *  (POST /tests/bulk copy); a failed copy removes the half-made clone. */
export async function cloneCampaign(c: Campaign, testIds: string[]): Promise<string> {
  const src = c as unknown as Record<string, unknown>
  const copy = await pb.collection('campaigns').create({
    name: `${c.name} (copy)`,
    description: c.description,
    blind: c.blind,
    tags: src.tags ?? [],
    platforms: src.platforms ?? [],
    threat_actor: c.threat_actor || undefined,
    owner: c.owner || undefined,
    status: 'planned',
    round: 1,
  })
  try {
    for (let i = 0; i < testIds.length; i += 1000) await api('/api/aegis/tests/bulk', { method: 'POST', body: { action: 'copy', ids: testIds.slice(i, i + 1000), campaign: copy.id } })
  } catch (err) {
    await pb.collection('campaigns').delete(copy.id).catch(() => {})
    throw err
  }
  return copy.id
}
