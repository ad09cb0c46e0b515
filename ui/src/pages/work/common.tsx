import { useState } from 'react'
import type { RecordModel } from 'pocketbase'
import { api, errorMessage, pb } from '../../lib/pb'
import { useLoad } from '../../lib/data'
import { useSubmit } from '../../lib/submit'
import { humanize } from '../../lib/format'
import { ACTION_LABELS, DETECTION, PREVENTION, RED_RESULTS, S, STATE_LABELS, needsForm, type Action } from '../../lib/workflow'
import { R } from '../../lib/roles'
import { Alert, Badge, Button, FormDialog, Select, TextArea, TextInput, useToast } from '../../ds'
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
  template: string
  tags?: unknown
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
  const tone = state === S.validated || state === S.closed ? 'success' : state === S.blue_review ? 'blue' : state === S.executing || state === S.ready ? 'red' : state === S.cancelled ? 'danger' : 'default'
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
  const direct = useSubmit()
  const toast = useToast()
  // send throws when the server refuses: the form shows why, a direct action tells it in a toast.
  const send = async (fields: Record<string, unknown>) => {
    const path = action === 'retest' ? `/api/aegis/tests/${test.id}/retest` : `/api/aegis/tests/${test.id}/transition`
    const body = action === 'retest' ? {} : { action, revision: test.revision, ...fields }
    const r = await api<TestRecord | { test: TestRecord }>(path, { method: 'POST', body })
    const t = (r && 'test' in r ? r.test : r) as TestRecord
    toast.push({ title: `${ACTION_LABELS[action]}: done`, body: test.name, tone: 'success' })
    setOpen(false)
    onDone(t)
  }
  const now = () => direct.run(() => send({}).catch((err) => toast.push({ title: `${ACTION_LABELS[action]} refused`, body: errorMessage(err), tone: 'error' })))
  return (
    <>
      <Button size={size} variant={action === 'cancel' ? 'danger' : action === 'rework' ? 'default' : 'primary'} busy={direct.busy} onClick={() => (needsForm(action) ? setOpen(true) : now())}>
        {ACTION_LABELS[action]}
      </Button>
      {open && <ActionForm test={test} action={action} onClose={() => setOpen(false)} onSubmit={send} />}
    </>
  )
}

/** localInput formats a date for a datetime-local input (local time, minutes). */
export function localInput(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`
}

/** uploadEvidence sends one file with an optional caption, reporting the
 *  upload's progress (0–100); it resolves with the stored evidence record. */
export function uploadEvidence(testId: string, file: Blob, filename: string, caption: string, onProgress?: (pct: number) => void): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const form = new FormData()
    if (caption) form.append('note', caption)
    form.append('file', file, filename)
    const xhr = new XMLHttpRequest()
    xhr.open('POST', `/api/aegis/tests/${encodeURIComponent(testId)}/evidence`)
    if (pb.authStore.token) xhr.setRequestHeader('Authorization', pb.authStore.token)
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress?.(Math.round((e.loaded / e.total) * 100))
    xhr.onload = () => {
      let body: { message?: string } = {}
      try {
        body = JSON.parse(xhr.responseText)
      } catch {
        /* not JSON */
      }
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress?.(100)
        resolve(body)
      } else reject(new Error(body.message || `Upload failed (${xhr.status})`))
    }
    xhr.onerror = () => reject(new Error('The server could not be reached.'))
    xhr.send(form)
  })
}

function ActionForm({ test, action, onClose, onSubmit }: { test: TestRecord; action: Action; onClose: () => void; onSubmit: (f: Record<string, unknown>) => Promise<void> }) {
  const now = localInput(new Date())
  const [f, setF] = useState<Record<string, string>>({ red_result: 'executed', prevention: '', detection: '', reason: '', red_assignee: test.red_assignee ?? '', detected_at: '', executed_at: now, red_notes: test.red_notes ?? '', output: '', blue_notes: test.blue_notes ?? '' })
  const operators = useLoad(
    () => (action === 'approve' ? pb.collection('users').getFullList<RecordModel & { name: string; email: string; role: string }>({ filter: pb.filter('active = true && (role = {:op} || role = {:lead})', { op: R.red_operator, lead: R.red_lead }), sort: 'name' }) : Promise.resolve([])),
    [action],
  )
  const set = (k: string) => (e: { target: { value: string } }) => setF((x) => ({ ...x, [k]: e.target.value }))
  const submit = async () => {
    const body: Record<string, unknown> = {}
    if (action === 'approve') body.red_assignee = f.red_assignee
    if (action === 'submit') {
      body.red_result = f.red_result
      const at = f.executed_at ? new Date(f.executed_at) : new Date()
      if (at.getTime() > Date.now() + 60_000) throw new Error('The execution time is in the future.')
      body.executed_at = at.toISOString()
      if (f.red_notes?.trim()) body.red_notes = f.red_notes.trim()
      if (f.output?.trim()) {
        // The command output is kept as evidence, hashed like any file.
        try {
          await uploadEvidence(test.id, new Blob([f.output], { type: 'text/plain' }), 'command-output.txt', 'Command output')
        } catch (err) {
          throw new Error(`The command output could not be attached: ${errorMessage(err)}`)
        }
      }
    }
    if (action === 'record') {
      body.prevention = f.prevention
      body.detection = f.detection
      if (f.detected_at) {
        const at = new Date(f.detected_at)
        if (at.getTime() > Date.now()) throw new Error('The detection time is in the future: record a detection after it happened.')
        body.detected_at = at.toISOString()
      }
      if (f.blue_notes?.trim()) body.blue_notes = f.blue_notes.trim()
    }
    if (action === 'rework' || action === 'cancel') body.reason = f.reason
    await onSubmit(body)
  }
  const opts = (xs: string[]) => xs.map((x) => ({ value: x, label: humanize(x) }))
  return (
    <FormDialog title={`${ACTION_LABELS[action]} · ${test.name}`} onClose={onClose} onSubmit={submit} submitLabel={ACTION_LABELS[action]}>
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
        {action === 'submit' && (
          <>
            <Select label="Red result" options={opts(RED_RESULTS)} value={f.red_result} onChange={set('red_result')} />
            <TextInput label="Executed at" type="datetime-local" value={f.executed_at} onChange={set('executed_at')} hint="Your local time; not in the future." />
            <TextArea label="Notes" rows={3} value={f.red_notes} onChange={set('red_notes')} placeholder="What ran, as whom, what to look for" />
            <TextArea label="Command output" rows={5} value={f.output} onChange={set('output')} hint="Attached as evidence (command-output.txt) when given." />
          </>
        )}
        {action === 'record' && (
          <>
            <Select label="Prevention" placeholder="Choose…" required options={opts(PREVENTION)} value={f.prevention} onChange={set('prevention')} />
            <Select label="Detection" placeholder="Choose…" required options={opts(DETECTION)} value={f.detection} onChange={set('detection')} hint="The ATT&CK Evaluations detection categories, best first." />
            <TextInput label="Detected at" type="datetime-local" value={f.detected_at} onChange={set('detected_at')} hint="Optional: between the execution and now; time to detect is measured from execution." />
            <TextArea label="Notes" rows={4} value={f.blue_notes} onChange={set('blue_notes')} placeholder="Which alert, which tool, what was missing" />
            {f.prevention === 'not_blocked' && (f.detection === 'none' || f.detection === 'telemetry') && <Alert tone="warning">No block and no alert: a finding will be opened.</Alert>}
          </>
        )}
        {(action === 'rework' || action === 'cancel') && <TextArea label="Reason" required value={f.reason} onChange={set('reason')} />}
    </FormDialog>
  )
}
