import { useState, type FormEvent } from 'react'
import type { RecordModel } from 'pocketbase'
import { api, errorMessage, pb } from '../../lib/pb'
import { useLoad } from '../../lib/data'
import { humanize } from '../../lib/format'
import { ACTION_LABELS, DETECTION, PREVENTION, RED_RESULTS, STATE_LABELS, needsForm, type Action } from '../../lib/workflow'
import { Alert, Badge, Button, Modal, Select, TextArea, TextInput, useToast } from '../../ds'
import type { Technique } from '../attack/common'

export type TestRecord = RecordModel & {
  name: string
  technique: string
  campaign: string
  procedure: string
  platform: string
  state: string
  red_assignee: string
  blue_assignee: string
  red_result: string
  executed_at: string
  prevention: string
  detection: string
  detected_at: string
  red_notes: string
  blue_notes: string
  revealed: boolean
  revision: number
  due_at: string
  reason: string
  technique_attack_id?: string
  outcome_imported?: boolean
  outcome_imported_by?: string
  outcome_confirmed_by?: string
  outcome_confirmed_at?: string
  expand?: {
    technique?: Technique
    campaign?: RecordModel & { name: string }
    red_assignee?: RecordModel & { name: string; email: string }
    blue_assignee?: RecordModel & { name: string; email: string }
    outcome_imported_by?: RecordModel & { name: string; email: string }
    outcome_confirmed_by?: RecordModel & { name: string; email: string }
  }
}

export const TEST_EXPAND = 'technique,campaign,red_assignee,blue_assignee,outcome_imported_by,outcome_confirmed_by'

export function StateBadge({ state }: { state: string }) {
  const tone = state === 'validated' || state === 'closed' ? 'success' : state === 'blue_review' ? 'blue' : state === 'executing' || state === 'ready' ? 'red' : state === 'cancelled' ? 'danger' : 'default'
  return <Badge tone={tone}>{STATE_LABELS[state] ?? humanize(state)}</Badge>
}

export function OutcomeBadges({ t }: { t: TestRecord }) {
  if (!t.prevention && !t.detection) return null
  return (
    <span className="chips">
      {t.prevention && <Badge tone={t.prevention === 'blocked' ? 'success' : t.prevention === 'partial' ? 'warning' : 'danger'}>{humanize(t.prevention)}</Badge>}
      {t.detection && <Badge tone={t.detection === 'none' || t.detection === 'telemetry' ? 'danger' : 'success'}>Detected: {humanize(t.detection)}</Badge>}
    </span>
  )
}

/** runAction sends one workflow action, asking for its fields first when needed. */
export function ActionButton({ test, action, onDone, size }: { test: TestRecord; action: Action; onDone: (t: TestRecord) => void; size?: 'small' }) {
  const [open, setOpen] = useState(false)
  const [busy, setBusy] = useState(false)
  const toast = useToast()
  const send = async (fields: Record<string, unknown>) => {
    setBusy(true)
    try {
      const path = action === 'retest' ? `/api/aegis/tests/${test.id}/retest` : `/api/aegis/tests/${test.id}/transition`
      const body = action === 'retest' ? {} : { action, revision: test.revision, ...fields }
      const r = await api<TestRecord | { test: TestRecord }>(path, { method: 'POST', body })
      const t = (r && 'test' in r ? r.test : r) as TestRecord
      toast.push({ title: `${ACTION_LABELS[action]}: done`, body: test.name, tone: 'success' })
      setOpen(false)
      onDone(t)
    } catch (err) {
      toast.push({ title: `${ACTION_LABELS[action]} refused`, body: errorMessage(err), tone: 'error' })
    } finally {
      setBusy(false)
    }
  }
  return (
    <>
      <Button size={size} variant={action === 'cancel' ? 'danger' : action === 'rework' ? 'default' : 'primary'} busy={busy && !open} onClick={() => (needsForm(action) ? setOpen(true) : send({}))}>
        {ACTION_LABELS[action]}
      </Button>
      {open && <ActionForm test={test} action={action} busy={busy} onClose={() => setOpen(false)} onSubmit={send} />}
    </>
  )
}

function ActionForm({ test, action, busy, onClose, onSubmit }: { test: TestRecord; action: Action; busy: boolean; onClose: () => void; onSubmit: (f: Record<string, unknown>) => void }) {
  const [f, setF] = useState<Record<string, string>>({ red_result: 'executed', prevention: '', detection: '', reason: '', red_assignee: test.red_assignee ?? '', detected_at: '' })
  const operators = useLoad(
    () => (action === 'approve' ? pb.collection('users').getFullList<RecordModel & { name: string; email: string; role: string }>({ filter: "active = true && (role = 'red_operator' || role = 'red_lead')", sort: 'name' }) : Promise.resolve([])),
    [action],
  )
  const set = (k: string) => (e: { target: { value: string } }) => setF((x) => ({ ...x, [k]: e.target.value }))
  const submit = (e: FormEvent) => {
    e.preventDefault()
    const body: Record<string, unknown> = {}
    if (action === 'approve') body.red_assignee = f.red_assignee
    if (action === 'submit') {
      body.red_result = f.red_result
      body.executed_at = new Date().toISOString()
    }
    if (action === 'record') {
      body.prevention = f.prevention
      body.detection = f.detection
      if (f.detected_at) body.detected_at = new Date(f.detected_at).toISOString()
    }
    if (action === 'rework' || action === 'cancel') body.reason = f.reason
    onSubmit(body)
  }
  const opts = (xs: string[]) => xs.map((x) => ({ value: x, label: humanize(x) }))
  return (
    <Modal
      title={`${ACTION_LABELS[action]} · ${test.name}`}
      onClose={onClose}
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button variant="primary" type="submit" form="action-form" busy={busy}>
            {ACTION_LABELS[action]}
          </Button>
        </>
      }
    >
      <form id="action-form" className="stack" onSubmit={submit}>
        {action === 'approve' && (
          <Select
            label="Red operator"
            placeholder="Choose an operator"
            required
            options={(operators.data ?? []).map((u) => ({ value: u.id, label: `${u.name || u.email} (${humanize(u.role)})` }))}
            value={f.red_assignee}
            onChange={set('red_assignee')}
          />
        )}
        {action === 'submit' && <Select label="Red result" options={opts(RED_RESULTS)} value={f.red_result} onChange={set('red_result')} />}
        {action === 'record' && (
          <>
            <Select label="Prevention" placeholder="Choose…" required options={opts(PREVENTION)} value={f.prevention} onChange={set('prevention')} />
            <Select label="Detection" placeholder="Choose…" required options={opts(DETECTION)} value={f.detection} onChange={set('detection')} hint="The ATT&CK Evaluations detection categories, best first." />
            <TextInput label="Detected at" type="datetime-local" value={f.detected_at} onChange={set('detected_at')} hint="Optional: time to detect is measured from execution." />
            {f.prevention === 'not_blocked' && (f.detection === 'none' || f.detection === 'telemetry') && <Alert tone="warning">No block and no alert: a finding will be opened.</Alert>}
          </>
        )}
        {(action === 'rework' || action === 'cancel') && <TextArea label="Reason" required value={f.reason} onChange={set('reason')} />}
      </form>
    </Modal>
  )
}
