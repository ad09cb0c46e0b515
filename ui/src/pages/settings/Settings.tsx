import { useEffect, useState } from 'react'
import type { RecordModel } from 'pocketbase'
import { pb } from '../../lib/pb'
import { useSubmit } from '../../lib/submit'
import { useLoad } from '../../lib/data'
import { humanize } from '../../lib/format'
import { setQuery, useLocation } from '../../lib/router'
import { Alert, Button, Card, PageHead, Spinner, Tabs, TextArea, TextInput, useToast } from '../../ds'
import { formatBytes } from '../../lib/files'
import { parseList } from '../../lib/text'
import { SecurityPolicy } from './SecurityPolicy'
import { Backups } from './Backups'

// Administration settings: scoring, evidence policy and retention live in the
// settings record key="default"; the security policy and backups have their
// own routes.

type Json = Record<string, unknown>
type SettingsRecord = RecordModel & { key: string; scoring: Json | null; evidence: Json | null; retention: Json | null }

const TABS = [
  { id: 'scoring', label: 'Scoring' },
  { id: 'evidence', label: 'Evidence' },
  { id: 'retention', label: 'Retention' },
  { id: 'security', label: 'Security' },
  { id: 'backups', label: 'Backups' },
]

/** validateScoring lists problems with scoring settings before they are saved. */
export function validateScoring(s: Json): string[] {
  const errs: string[] = []
  const num = (k: string) => Number(s[k])
  for (const [k, v] of Object.entries(s)) {
    if (typeof v === 'number' && (!isFinite(v) || v < 0)) errs.push(`${humanize(k)} must be a number ≥ 0.`)
  }
  const w = num('weight_validation') + num('weight_rules') + num('weight_mitigation')
  if (['weight_validation', 'weight_rules', 'weight_mitigation'].every((k) => k in s) && Math.abs(w - 1) > 0.001) errs.push(`The three weights add up to ${Math.round(w * 1000) / 1000}; they must add up to 1.`)
  if ('level_low' in s && 'level_good' in s && num('level_low') >= num('level_good')) errs.push('The "low" threshold must be below the "good" threshold.')
  return errs
}

export default function SettingsPage() {
  const { query } = useLocation()
  const tab = query.get('tab') || 'scoring'
  const rec = useLoad(() => pb.collection('settings').getFirstListItem<SettingsRecord>(`key = 'default'`), [])
  return (
    <div className="stack">
      <PageHead title="Settings" subtitle="Scoring, evidence policy, retention, sign-in security and backups." />
      <Tabs tabs={TABS} value={tab} onChange={(t) => setQuery({ tab: t })} />
      {tab === 'security' ? (
        <SecurityPolicy />
      ) : tab === 'backups' ? (
        <Backups />
      ) : rec.loading && !rec.data ? (
        <Spinner />
      ) : rec.error ? (
        <Alert>{rec.error}</Alert>
      ) : tab === 'scoring' ? (
        <ScoringForm rec={rec.data!} onSaved={rec.set} />
      ) : tab === 'evidence' ? (
        <EvidenceForm rec={rec.data!} onSaved={rec.set} />
      ) : (
        <RetentionForm rec={rec.data!} onSaved={rec.set} />
      )}
    </div>
  )
}

function useSave(rec: SettingsRecord, onSaved: (r: SettingsRecord) => void) {
  const toast = useToast()
  const { busy, error, setError, run } = useSubmit()
  const save = (body: Json) =>
    run(async () => {
      onSaved(await pb.collection('settings').update<SettingsRecord>(rec.id, body))
      toast.push({ title: 'Settings saved', tone: 'success' })
    })
  return { busy, error, setError, save }
}

function NumberField({ label, value, onChange, step = 'any', hint }: { label: string; value: unknown; onChange: (v: number) => void; step?: string; hint?: string }) {
  return <TextInput label={label} hint={hint} type="number" step={step} min={0} value={value === undefined || value === null ? '' : String(value)} onChange={(e) => onChange(e.target.value === '' ? NaN : Number(e.target.value))} />
}

function ScoringForm({ rec, onSaved }: { rec: SettingsRecord; onSaved: (r: SettingsRecord) => void }) {
  const [v, setV] = useState<Json>(rec.scoring ?? {})
  useEffect(() => setV(rec.scoring ?? {}), [rec])
  const { busy, error, setError, save } = useSave(rec, onSaved)
  const scalars = Object.entries(v).filter(([, x]) => typeof x === 'number')
  const maps = Object.entries(v).filter(([, x]) => x && typeof x === 'object' && !Array.isArray(x)) as [string, Record<string, number>][]
  const submit = () => {
    const errs = validateScoring(v)
    if (errs.length) return setError(errs.join(' '))
    save({ scoring: v })
  }
  return (
    <Card title="Scoring weights and thresholds" actions={<Button variant="primary" busy={busy} onClick={submit}>Save scoring</Button>}>
      <div className="stack">
        {error && <Alert>{error}</Alert>}
        <p className="muted small m0">A technique's score is validation × weight + rules × weight + mitigations × weight, with validation decaying by its half-life. Levels use the thresholds.</p>
        <div className="auto-grid cell-190">
          {scalars.map(([k, x]) => (
            <NumberField key={k} label={humanize(k)} value={x} onChange={(n) => setV({ ...v, [k]: n })} />
          ))}
        </div>
        {maps.map(([k, m]) => (
          <div key={k}>
            <h3>{humanize(k)} factors</h3>
            <div className="auto-grid cell-150">
              {Object.entries(m).map(([mk, mv]) => (
                <NumberField key={mk} label={humanize(mk)} value={mv} onChange={(n) => setV({ ...v, [k]: { ...m, [mk]: n } })} />
              ))}
            </div>
          </div>
        ))}
      </div>
    </Card>
  )
}

function EvidenceForm({ rec, onSaved }: { rec: SettingsRecord; onSaved: (r: SettingsRecord) => void }) {
  const ev = rec.evidence ?? {}
  const [mb, setMb] = useState(String(Math.round((Number(ev.max_bytes) || 0) / (1 << 20))))
  const [mimes, setMimes] = useState(((ev.allowed_mimes as string[]) ?? []).join('\n'))
  const { busy, error, setError, save } = useSave(rec, onSaved)
  const submit = () => {
    const n = Number(mb)
    if (!isFinite(n) || n <= 0) return setError('The size limit must be a positive number of MB.')
    const list = parseList(mimes)
    const bad = list.filter((m) => !/^[\w.+-]+\/[\w.+*-]+$/.test(m))
    if (bad.length) return setError(`Not MIME types: ${bad.join(', ')}`)
    save({ evidence: { ...ev, max_bytes: Math.round(n * (1 << 20)), allowed_mimes: list } })
  }
  return (
    <Card title="Evidence policy" actions={<Button variant="primary" busy={busy} onClick={submit}>Save evidence policy</Button>}>
      <div className="stack">
        {error && <Alert>{error}</Alert>}
        <TextInput label="Maximum file size (MB)" type="number" min={1} value={mb} onChange={(e) => setMb(e.target.value)} hint={`Currently ${formatBytes(Number(ev.max_bytes) || 0)}.`} />
        <TextArea label="Allowed MIME types" rows={10} value={mimes} onChange={(e) => setMimes(e.target.value)} hint="One per line; the server checks the content, not the file name." />
      </div>
    </Card>
  )
}

function RetentionForm({ rec, onSaved }: { rec: SettingsRecord; onSaved: (r: SettingsRecord) => void }) {
  const [v, setV] = useState<Json>(rec.retention ?? { notifications_days: 90, evidence_days: 0 })
  const { busy, error, setError, save } = useSave(rec, onSaved)
  const submit = () => {
    if (Object.values(v).some((x) => typeof x === 'number' && (!isFinite(x) || x < 0))) return setError('Days must be 0 or more.')
    save({ retention: v })
  }
  return (
    <Card title="Retention" actions={<Button variant="primary" busy={busy} onClick={submit}>Save retention</Button>}>
      <div className="stack">
        {error && <Alert>{error}</Alert>}
        <p className="muted small m0">How long to keep data, in days. 0 keeps it forever.</p>
        <div className="auto-grid cell-220">
          {Object.entries(v).map(([k, x]) => (
            <NumberField key={k} step="1" label={humanize(k)} value={x} onChange={(n) => setV({ ...v, [k]: n })} />
          ))}
        </div>
      </div>
    </Card>
  )
}

