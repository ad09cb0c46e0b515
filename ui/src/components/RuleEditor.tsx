import { useEffect, useState, type FormEvent } from 'react'
import { api, errorMessage, pb } from '../lib/pb'
import { useSubmit } from '../lib/submit'
import { Alert, Badge, Button, Checkbox, Modal, Select, Tabs, TextArea, TextInput } from '../ds'
import { ruleMessages, newRuleId, SIGMA_TEMPLATE, type RuleCheck } from './ruleCheck'
import { TechniquePicker, type PickedTechnique } from './TechniquePicker'
import { SEVERITIES } from '../lib/vocabulary.gen'

// The rule editor (loaded on demand): a Sigma rule in YAML, checked by the
// server with the importer's own parser as one types (technique tags
// resolved), or a rule of another system recorded by name and techniques.

export default function RuleEditor({ onClose, onSaved, initial }: { onClose: () => void; onSaved: (id: string) => void; initial?: string }) {
  const [tab, setTab] = useState('sigma')
  if (initial !== undefined)
    return (
      <Modal title="Edit Sigma rule" wide onClose={onClose}>
        <SigmaForm onClose={onClose} onSaved={onSaved} initial={initial} />
      </Modal>
    )
  return (
    <Modal title="New detection rule" wide onClose={onClose}>
      <div className="stack">
        <Tabs
          tabs={[
            { id: 'sigma', label: 'Sigma rule' },
            { id: 'other', label: 'Rule of another system' },
          ]}
          value={tab}
          onChange={setTab}
        />
        {tab === 'sigma' ? <SigmaForm onClose={onClose} onSaved={onSaved} /> : <OtherForm onClose={onClose} onSaved={onSaved} />}
      </div>
    </Modal>
  )
}

function SigmaForm({ onClose, onSaved, initial }: { onClose: () => void; onSaved: (id: string) => void; initial?: string }) {
  const [content, setContent] = useState(() => initial ?? SIGMA_TEMPLATE.replace('00000000-0000-4000-8000-000000000000', newRuleId()))
  const [check, setCheck] = useState<RuleCheck | null>(null)
  const [enabled, setEnabled] = useState(true)
  const { busy, error, setError, run } = useSubmit()
  useEffect(() => {
    let dead = false
    const h = setTimeout(() => {
      api<RuleCheck>('/api/aegis/rules/validate', { method: 'POST', body: { content } })
        .then((r) => !dead && setCheck(r))
        .catch((err) => !dead && setError(errorMessage(err)))
    }, 350)
    return () => {
      dead = true
      clearTimeout(h)
    }
  }, [content, setError])
  const save = (e: FormEvent) => {
    e.preventDefault()
    void run(async () => {
      // Editing keeps the rule's enabled flag; a new rule takes the checkbox.
      const r = await api<{ id: string }>('/api/aegis/rules/sigma', { method: 'POST', body: initial === undefined ? { content, enabled } : { content } })
      onSaved(r.id)
    })
  }
  const msgs = ruleMessages(check)
  const ok = !!check?.valid && check.rules.length === 1
  return (
    <form className="stack" onSubmit={save}>
      {error && <Alert>{error}</Alert>}
      <TextArea label="Sigma rule (YAML)" rows={18} spellCheck={false} value={content} onChange={(e) => setContent(e.target.value)} className="code-input" data-testid="sigma-yaml" />
      <div className="stack tight" data-testid="rule-check" aria-live="polite">
        {msgs.map((m, i) => (
          <Alert key={i} tone={m.tone}>
            {m.text}
          </Alert>
        ))}
        {check?.valid &&
          check.rules.map((r) => (
            <div key={r.source_rule_id} className="row small">
              {r.techniques.map((t) => (
                <Badge key={t.id} tone="primary">
                  {t.attack_id} {t.name}
                </Badge>
              ))}
              {r.tactics.map((t) => (
                <Badge key={t} tone="outline">
                  {t}
                </Badge>
              ))}
            </div>
          ))}
      </div>
      {initial === undefined && <Checkbox label="Enabled: counts towards coverage now" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} />}
      <div className="row">
        <Button type="submit" variant="primary" busy={busy} disabled={!ok} data-testid="save-rule">
          Save rule
        </Button>
        <Button onClick={onClose}>Cancel</Button>
      </div>
    </form>
  )
}

function OtherForm({ onClose, onSaved }: { onClose: () => void; onSaved: (id: string) => void }) {
  const [f, setF] = useState({ source: 'splunk', title: '', source_rule_id: '', description: '', severity: 'medium', content: '' })
  const [techs, setTechs] = useState<PickedTechnique[]>([])
  const { busy, error, run } = useSubmit()
  const set = (k: keyof typeof f) => (e: { target: { value: string } }) => setF((x) => ({ ...x, [k]: e.target.value }))
  const save = (e: FormEvent) => {
    e.preventDefault()
    void run(async () => {
      if (techs.length === 0) throw new Error('Add at least one technique the rule detects.')
      const slug = f.title.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 60)
      const r = await pb.collection('detection_rules').create({ ...f, source_rule_id: f.source_rule_id.trim() || `${slug}-${newRuleId().slice(0, 8)}`, techniques: techs.map((t) => t.id), enabled: true, meta: { authored: 'ui' } })
      onSaved(r.id)
    })
  }
  return (
    <form className="stack" onSubmit={save}>
      {error && <Alert>{error}</Alert>}
      <div className="grid-2">
        <Select label="System" options={[{ value: 'splunk', label: 'Splunk' }, { value: 'elastic', label: 'Elastic' }, { value: 'custom', label: 'Other (custom)' }]} value={f.source} onChange={set('source')} />
        <Select label="Severity" options={[...SEVERITIES].reverse().map((s) => ({ value: s, label: s }))} value={f.severity} onChange={set('severity')} />
      </div>
      <TextInput label="Name" required value={f.title} onChange={set('title')} placeholder="e.g. LSASS handle opened by non-system process" />
      <TextInput label="Rule id in that system" value={f.source_rule_id} onChange={set('source_rule_id')} placeholder="optional: generated from the name" />
      <div className="stack tight">
        <div className="row">
          {techs.map((t) => (
            <Badge key={t.id} tone="primary">
              {t.attack_id} {t.name}{' '}
              <button type="button" className="btn ghost small" aria-label={`Remove ${t.attack_id}`} onClick={() => setTechs((x) => x.filter((y) => y.id !== t.id))}>
                ✕
              </button>
            </Badge>
          ))}
        </div>
        <TechniquePicker label="Techniques it detects" value={null} onChange={(t) => t && setTechs((x) => (x.some((y) => y.id === t.id) ? x : [...x, t]))} />
      </div>
      <TextArea label="Description" rows={3} value={f.description} onChange={set('description')} />
      <TextArea label="Query or rule text (optional)" rows={5} value={f.content} onChange={set('content')} />
      <div className="row">
        <Button type="submit" variant="primary" busy={busy} data-testid="save-other-rule">
          Record rule
        </Button>
        <Button onClick={onClose}>Cancel</Button>
      </div>
    </form>
  )
}
