import { useState, type FormEvent } from 'react'
import { api, pb } from '../../lib/pb'
import { useSubmit } from '../../lib/submit'
import { useLoad } from '../../lib/data'
import { navigate } from '../../lib/router'
import { Alert, Button, Card, Checkbox, PageHead, Select, Tabs, TextArea, TextInput, useToast } from '../../ds'
import type { Actor } from '../attack/common'

// The campaign wizard: by hand, from a threat actor (one draft test per
// technique it uses), or from an ATT&CK Navigator layer.

type PreviewTest = { technique: string; name: string; platform: string; template: string; source: string; why: string }

const PLATFORMS = ['windows', 'linux', 'macos', 'azure-ad', 'office-365', 'iaas', 'saas', 'containers', 'network']

export default function CampaignWizardPage() {
  const [mode, setMode] = useState('actor')
  const toast = useToast()
  const [f, setF] = useState({ name: '', description: '', actor: '', platform: '', blind: false })
  const [targets, setTargets] = useState<string[]>([])
  const [anyPlatform, setAnyPlatform] = useState(false)
  const [preview, setPreview] = useState<{ items: PreviewTest[]; skipped: string[] } | null>(null)
  const [file, setFile] = useState<File | null>(null)
  const { busy, error, run } = useSubmit()
  const actors = useLoad(() => pb.collection('threat_actors').getFullList<Actor>({ fields: 'id,attack_id,name', sort: 'name', filter: 'revoked = false', batch: 1000 }), [])
  const set = (k: keyof typeof f) => (e: { target: { value: string } }) => setF((x) => ({ ...x, [k]: e.target.value }))

  const submit = (e: FormEvent) => {
    e.preventDefault()
    void run(async () => {
      let id = ''
      if (mode === 'manual') {
        const r = await pb.collection('campaigns').create({ name: f.name, description: f.description, blind: f.blind, status: 'planned', round: 1 })
        id = r.id
      } else if (mode === 'actor') {
        if (targets.length === 0 && !anyPlatform) throw new Error('Choose the target platforms first (or "Any platform").')
        const platforms = anyPlatform ? [] : targets
        if (!preview) {
          // First the preview: which tests, from which template, and why.
          const p = await api<{ preview?: PreviewTest[]; skipped?: string[] }>('/api/aegis/campaigns/from-actor', { body: { actor: f.actor, name: f.name, platforms, blind: f.blind, preview: true } })
          setPreview({ items: p.preview ?? [], skipped: p.skipped ?? [] })
          return
        }
        const r = await api<{ campaign: { id: string }; tests: unknown[]; skipped?: string[] }>('/api/aegis/campaigns/from-actor', {
          body: { actor: f.actor, name: f.name, description: f.description, platforms, blind: f.blind },
        })
        id = r.campaign.id
        toast.push({ title: `${r.tests.length} draft tests planned`, body: r.skipped?.length ? `${r.skipped.length} technique(s) skipped` : undefined, tone: 'success' })
      } else {
        if (!file) throw new Error('Choose a layer file.')
        const form = new FormData()
        form.append('file', file)
        form.append('name', f.name)
        if (f.description.trim()) form.append('description', f.description)
        if (f.platform) form.append('platforms', f.platform)
        form.append('blind', String(f.blind))
        const r = await api<{ campaign: { id: string }; tests: unknown[] }>('/api/aegis/campaigns/from-layer', { form })
        id = r.campaign.id
        toast.push({ title: `${r.tests.length} draft tests planned`, tone: 'success' })
      }
      navigate(`/campaigns/${id}`)
    })
  }

  return (
    <div className="stack mw-760">
      <PageHead title="New campaign" subtitle="Plan the tests; red leads then approve and assign them on the board." />
      <Card>
        <form className="stack" onSubmit={submit}>
          <Tabs
            tabs={[
              { id: 'actor', label: 'From a threat actor' },
              { id: 'layer', label: 'From a Navigator layer' },
              { id: 'manual', label: 'By hand' },
            ]}
            value={mode}
            onChange={setMode}
          />
          {error && <Alert>{error}</Alert>}
          <TextInput label="Name" required value={f.name} onChange={set('name')} placeholder="APT29 emulation Q4" />
          {mode === 'actor' && (
            <Select
              label="Threat actor"
              required
              placeholder="Choose an actor"
              options={(actors.data ?? []).map((a) => ({ value: a.id, label: `${a.name}${a.attack_id ? ` (${a.attack_id})` : ''}` }))}
              value={f.actor}
              onChange={(e) => (set('actor')(e), setPreview(null))}
              hint="One draft test per technique the actor uses, prefilled from the best template."
            />
          )}
          {mode === 'actor' && (
            <fieldset className="stack tight bare-fieldset" data-testid="target-platforms">
              <legend className="strong mb-4">Target platforms</legend>
              <span className="small faint">Only techniques and procedures for these platforms are planned.</span>
              <div className="row">
                {PLATFORMS.map((p) => (
                  <Checkbox key={p} label={p} disabled={anyPlatform} checked={targets.includes(p)} onChange={(e) => (setTargets((x) => (e.target.checked ? [...x, p] : x.filter((y) => y !== p))), setPreview(null))} />
                ))}
                <Checkbox label="Any platform" checked={anyPlatform} onChange={(e) => (setAnyPlatform(e.target.checked), setPreview(null))} />
              </div>
            </fieldset>
          )}
          {mode === 'actor' && preview && (
            <div className="stack tight" data-testid="actor-preview">
              <b>
                {preview.items.length} test(s) will be created{preview.skipped.length > 0 ? `, ${preview.skipped.length} technique(s) skipped` : ''}
              </b>
              <div className="table-wrap scroll-360">
                <table className="table" aria-label="Tests to create">
                  <thead>
                    <tr>
                      <th>Technique</th>
                      <th>Template</th>
                      <th>Why</th>
                    </tr>
                  </thead>
                  <tbody>
                    {preview.items.map((p, i) => (
                      <tr key={i}>
                        <td>
                          <code>{p.technique}</code>
                        </td>
                        <td>{p.template ? `${p.source}: ${p.template}` : <span className="faint">none</span>}</td>
                        <td className="small">{p.why}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              {preview.skipped.length > 0 && (
                <details>
                  <summary className="small">Skipped techniques</summary>
                  <ul className="small">
                    {preview.skipped.map((x) => (
                      <li key={x}>{x}</li>
                    ))}
                  </ul>
                </details>
              )}
            </div>
          )}
          {mode === 'layer' && <TextInput label="Layer file" type="file" accept=".json,application/json" onChange={(e) => setFile(e.target.files?.[0] ?? null)} hint="ATT&CK Navigator layer (JSON): the techniques it scores or selects." />}
          {mode === 'layer' && <Select label="Platform" placeholder="Any platform" options={PLATFORMS.map((p) => ({ value: p, label: p }))} value={f.platform} onChange={set('platform')} />}
          <TextArea
            label="Description"
            value={f.description}
            onChange={set('description')}
            hint={mode === 'layer' ? 'Markdown. Left empty, the layer\'s own description is used.' : 'Markdown: the goal, scope and rules of engagement.'}
          />
          <Checkbox label="Blind: blue sees a test only once a red lead reveals it" checked={f.blind} onChange={(e) => setF((x) => ({ ...x, blind: e.target.checked }))} />
          <div>
            <Button type="submit" variant="primary" busy={busy} data-testid="wizard-submit">
              {mode === 'actor' && !preview ? 'Preview tests' : mode === 'actor' ? `Create campaign with ${preview?.items.length ?? 0} tests` : 'Create campaign'}
            </Button>
          </div>
        </form>
      </Card>
    </div>
  )
}
