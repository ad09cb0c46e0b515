import { useState, type FormEvent } from 'react'
import type { RecordModel } from 'pocketbase'
import { api, errorMessage, pb } from '../../lib/pb'
import { useSubscription } from '../../lib/live'
import { useLoad } from '../../lib/data'
import { useSubmit } from '../../lib/submit'
import { useAuth } from '../../lib/auth'
import { formatDate, humanize, relativeTime } from '../../lib/format'
import { Link } from '../../lib/router'
import { R, can } from '../../lib/roles'
import { S, importedUnconfirmed, type Action } from '../../lib/workflow'
import { Alert, Badge, Button, Card, EmptyState, FormDialog, PageHead, ProgressBar, Spinner, Tabs, TextArea, TextInput, useToast } from '../../ds'
import { TechniqueLink } from '../attack/common'
import { Details } from '../admin/Audit'
import { ActionButton, OutcomeBadges, StateBadge, TEST_EXPAND, uploadEvidence, type TestRecord } from './common'
import { ProcedureCard } from './Procedure'
import { TechniquePicker, type PickedTechnique } from '../../components/TechniquePicker'
import { PlatformSelect } from './TestForms'
import type { Template } from '../content/Library'
import './work.css'

type Comment = RecordModel & { body: string; author: string; expand?: { author?: RecordModel & { name: string; email: string } } }
type Evidence = RecordModel & { team: string; file: string; filename: string; mime: string; size: number; sha256: string; note: string; uploaded_by: string }
type AuditRow = { id: string; created: string; action: string; actor_name: string; collection: string; details: unknown }

export default function TestDetailPage({ params }: { params: Record<string, string> }) {
  const me = useAuth()
  const [tab, setTab] = useState('comments')
  const [editing, setEditing] = useState(false)
  const test = useLoad(() => pb.collection('tests').getOne<TestRecord>(params.id, { expand: TEST_EXPAND }), [params.id])
  const t = test.data
  const setTest = test.set
  useSubscription<TestRecord>('tests', params.id, (e) => setTest(e.record), { expand: TEST_EXPAND })

  const comments = useLoad(() => pb.collection('test_comments').getFullList<Comment>({ filter: pb.filter('test = {:t}', { t: params.id }), sort: 'created', expand: 'author' }), [params.id, t?.revision])
  const evidence = useLoad(() => pb.collection('evidence').getFullList<Evidence>({ filter: pb.filter('test = {:t}', { t: params.id }), sort: '-created' }), [params.id, t?.revision])
  const template = useLoad(() => (t?.template ? pb.collection('test_templates').getOne<Template>(t.template) : Promise.resolve(null)), [t?.template])
  // The server decides which actions this user may take now and builds the
  // history from the audit log of the test and everything hanging off it.
  const history = useLoad(() => api<{ items: AuditRow[] }>(`/api/aegis/tests/${encodeURIComponent(params.id)}/history?limit=200`).then((r) => [...(r.items ?? [])].reverse()), [params.id, t?.revision])
  // The answer is kept with the revision and state it was asked for, so a
  // test that has moved on never shows the actions of its previous state.
  // People are named in the history, not shown by record id.
  const userNames = useLoad(
    () => pb.collection('users').getFullList<{ id: string; name: string; email: string }>({ fields: 'id,name,email', batch: 500 }).then((us) => Object.fromEntries(us.map((u) => [u.id, u.name || u.email]))),
    [],
  )
  const asked = `${t?.revision}/${t?.state}`
  const serverActions = useLoad(
    () => api<{ actions: Action[] }>(`/api/aegis/tests/${encodeURIComponent(params.id)}/actions`).then((r) => ({ asked, actions: r.actions ?? [] })),
    [params.id, asked],
  )

  if (test.loading && !t) return <Spinner />
  if (test.error) return <Alert>{test.status === 404 ? 'This test does not exist or is not visible to you.' : test.error}</Alert>
  if (!t || !me) return null
  // Exactly what the server allows now; nothing while it answers.
  const actions = serverActions.data?.asked === asked ? serverActions.data.actions : []
  const canEdit = can(me.role, 'plan_campaigns') && t.state === S.draft

  return (
    <div className="stack">
      <div className="faint small">
        <Link to="/board">Workflow board</Link> / {t.expand?.campaign ? t.expand.campaign.name : 'No campaign'}
      </div>
      <PageHead
        title={t.name}
        subtitle={
          <span className="row">
            <StateBadge state={t.state} />
            {t.expand?.technique && <TechniqueLink t={t.expand.technique} />}
            {!t.technique && t.technique_attack_id && <Badge tone="warning">{t.technique_attack_id}: not in the ATT&CK catalogue yet</Badge>}
            {t.platform && <Badge tone="outline">{t.platform}</Badge>}
            {!t.revealed && <Badge tone="outline">Hidden from blue</Badge>}
            <span className="faint small">revision {t.revision}</span>
          </span>
        }
        actions={
          <>
            {canEdit && (
              <Button onClick={() => setEditing(true)} data-testid="edit-test">
                Edit
              </Button>
            )}
            {actions.map((a) => (
              <ActionButton key={a} test={t} action={a} onDone={(n) => (n?.id === t.id && setTest({ ...t, ...n }), test.reload())} />
            ))}
          </>
        }
      />
      {editing && <EditTest t={t} onClose={() => setEditing(false)} onSaved={(n) => (setTest({ ...t, ...n }), setEditing(false))} />}
      <div className="grid-2 main-side">
        <div className="stack">
          <ProcedureCard procedure={t.procedure} template={template.data} />
          <Card flush>
            <div className="pad-x">
              <Tabs
                tabs={[
                  { id: 'comments', label: `Comments (${comments.data?.length ?? 0})` },
                  { id: 'evidence', label: `Evidence (${evidence.data?.length ?? 0})` },
                  { id: 'history', label: 'History' },
                ]}
                value={tab}
                onChange={setTab}
              />
            </div>
            <div className="card-body pad">
              {tab === 'comments' && <Comments list={comments.data ?? []} testId={t.id} onAdded={comments.reload} />}
              {tab === 'evidence' && <EvidenceList list={evidence.data ?? []} test={t} canUpload={can(me.role, 'execute_tests') || can(me.role, 'record_outcomes')} onAdded={evidence.reload} error={evidence.error} />}
              {tab === 'history' && (
                <div className="stack tight">
                  {(history.data ?? []).length === 0 && <EmptyState title="No history recorded" />}
                  {(history.data ?? []).map((h) => (
                    <div key={h.id} className="history-item">
                      <div>
                        <b>{h.actor_name || 'system'}</b> · {humanize(h.action)} {h.collection && h.collection !== 'tests' && <Badge tone="outline">{h.collection}</Badge>} <span className="faint small">{relativeTime(h.created)}</span>
                      </div>
                      <HistoryDetails details={h.details} names={userNames.data ?? {}} />
                    </div>
                  ))}
                </div>
              )}
            </div>
          </Card>
        </div>
        <div className="stack">
          <Card title="Red">
            <dl className="kv">
              <dt>Operator</dt>
              <dd>{t.expand?.red_assignee ? t.expand.red_assignee.name || t.expand.red_assignee.email : '—'}</dd>
              <dt>Result</dt>
              <dd>{t.red_result ? humanize(t.red_result) : '—'}</dd>
              <dt>Executed</dt>
              <dd>{formatDate(t.executed_at)}</dd>
              <dt>Notes</dt>
              <dd>{t.red_notes || '—'}</dd>
            </dl>
          </Card>
          <Card title="Blue">
            <dl className="kv">
              <dt>Outcome</dt>
              <dd>{t.prevention || t.detection ? <OutcomeBadges t={t} /> : '—'}</dd>
              {t.outcome_imported && (
                <>
                  <dt>Imported</dt>
                  <dd data-testid="outcome-imported">
                    imported by {userName(t.expand?.outcome_imported_by) || 'a system import'}
                    {importedUnconfirmed(t) ? (
                      <div>
                        <Badge tone="warning">Not counted yet</Badge>
                        <div className="faint small">until a blue lead or an admin confirms it</div>
                      </div>
                    ) : (
                      <div className="faint small">
                        confirmed by {userName(t.expand?.outcome_confirmed_by) || 'a superuser'} {t.outcome_confirmed_at && relativeTime(t.outcome_confirmed_at)}
                      </div>
                    )}
                  </dd>
                </>
              )}
              <dt>Detected</dt>
              <dd>{formatDate(t.detected_at)}</dd>
              <dt>Analyst</dt>
              <dd>{t.expand?.blue_assignee ? t.expand.blue_assignee.name || t.expand.blue_assignee.email : '—'}</dd>
              <dt>Notes</dt>
              <dd>{t.blue_notes || '—'}</dd>
            </dl>
          </Card>
          {t.reason && (
            <Alert tone="warning">
              Last reason: {t.reason}
            </Alert>
          )}
        </div>
      </div>
    </div>
  )
}

function userName(u?: { name: string; email: string }): string {
  return u ? u.name || u.email : ''
}

function Comments({ list, testId, onAdded }: { list: Comment[]; testId: string; onAdded: () => void }) {
  const me = useAuth()
  const [body, setBody] = useState('')
  const { busy, error, run } = useSubmit()
  const submit = (e: FormEvent) => {
    e.preventDefault()
    if (!body.trim()) return
    void run(async () => {
      await pb.collection('test_comments').create({ test: testId, author: me?.id, body })
      setBody('')
      onAdded()
    })
  }
  return (
    <div className="stack">
      {list.length === 0 && <span className="faint">No comments yet.</span>}
      {list.map((c) => (
        <div key={c.id}>
          <b>{c.expand?.author?.name || c.expand?.author?.email || 'Someone'}</b> <span className="faint small">{relativeTime(c.created)}</span>
          <div className="prose">{c.body}</div>
        </div>
      ))}
      <form className="stack tight" onSubmit={submit}>
        {error && <Alert>{error}</Alert>}
        <TextArea label="Add a comment" value={body} onChange={(e) => setBody(e.target.value)} />
        <div>
          <Button type="submit" busy={busy} disabled={!body.trim()}>
            Comment
          </Button>
        </div>
      </form>
    </div>
  )
}

type Pending = { key: number; file: File; pct: number; error: string; done: boolean }
let pendingKey = 0

/** EvidenceList shows a test's evidence with previews and captions. Several
 *  files upload at once as soon as they are chosen, each with its own
 *  progress; the uploader captions them (saved as the evidence note) and may
 *  delete them until their team's step is submitted. */
function EvidenceList({ list, test, canUpload, onAdded, error }: { list: Evidence[]; test: TestRecord; canUpload: boolean; onAdded: () => void; error: string }) {
  const me = useAuth()
  const toast = useToast()
  const [pending, setPending] = useState<Pending[]>([])
  const [msg, setMsg] = useState('')
  const download = async (ev: Evidence) => {
    try {
      const token = await pb.files.getToken()
      window.open(pb.files.getURL(ev, ev.file, { token, download: true }), '_blank')
    } catch (err) {
      setMsg(errorMessage(err))
    }
  }
  const remove = async (ev: Evidence) => {
    if (!window.confirm(`Delete ${ev.filename || ev.file}?`)) return
    try {
      await pb.collection('evidence').delete(ev.id)
      toast.push({ title: 'Evidence deleted', body: ev.filename, tone: 'success' })
      onAdded()
    } catch (err) {
      setMsg(errorMessage(err))
    }
  }
  const caption = async (ev: Evidence, note: string) => {
    if (note === (ev.note ?? '')) return
    try {
      await pb.collection('evidence').update(ev.id, { note })
      onAdded()
    } catch (err) {
      setMsg(errorMessage(err))
    }
  }
  const start = (files: File[]) => {
    setMsg('')
    const items = files.map((file) => ({ key: ++pendingKey, file, pct: 0, error: '', done: false }))
    setPending((cur) => [...cur, ...items])
    let left = items.length
    for (const it of items) {
      const update = (x: Partial<Pending>) => setPending((cur) => cur.map((y) => (y.key === it.key ? { ...y, ...x } : y)))
      uploadEvidence(test.id, it.file, it.file.name, '', (pct) => update({ pct }))
        .then(() => {
          update({ done: true, pct: 100 })
          setTimeout(() => setPending((cur) => cur.filter((y) => y.key !== it.key)), 1200)
        })
        .catch((err) => update({ error: errorMessage(err) }))
        .finally(() => --left === 0 && onAdded())
    }
  }
  const redOpen = ([S.draft, S.ready, S.executing] as string[]).includes(test.state)
  const mine = (ev: Evidence) => ev.uploaded_by === me?.id
  const mayDelete = (ev: Evidence) => me?.role === R.admin || (mine(ev) && (ev.team === 'red' ? redOpen : test.state === S.blue_review))
  return (
    <div className="stack">
      {error && <Alert>{error}</Alert>}
      {msg && <Alert>{msg}</Alert>}
      {list.length === 0 && pending.length === 0 && <span className="faint">No evidence attached.</span>}
      {list.map((ev) => (
        <div key={ev.id} className="stack tight divided pb-8" data-testid="evidence">
          <div className="row between">
            <span className="wrap-anywhere">
              <Badge tone={ev.team === 'blue' ? 'blue' : 'red'}>{ev.team}</Badge> <b>{ev.filename || ev.file}</b>{' '}
              <span className="faint small">
                {ev.mime} · {(ev.size / 1024).toFixed(1)} KB · sha256 {ev.sha256?.slice(0, 12)}…
              </span>
            </span>
            <span className="row tight">
              <Button size="small" onClick={() => download(ev)}>
                Download
              </Button>
              {mayDelete(ev) && (
                <Button size="small" variant="danger" onClick={() => remove(ev)}>
                  Delete
                </Button>
              )}
            </span>
          </div>
          {mine(ev) ? (
            <input
              className="input"
              aria-label={`Caption of ${ev.filename || ev.file}`}
              placeholder="Add a caption: what this shows"
              defaultValue={ev.note ?? ''}
              onBlur={(e) => caption(ev, e.target.value.trim())}
              onKeyDown={(e) => e.key === 'Enter' && (e.target as HTMLInputElement).blur()}
            />
          ) : (
            ev.note && <div className="muted" data-testid="evidence-caption">{ev.note}</div>
          )}
          <EvidencePreview ev={ev} />
        </div>
      ))}
      {pending.map((p) => (
        <div key={p.key} className="upload-row" data-testid="pending-upload">
          <span className="small wrap-anywhere">
            <b>{p.file.name}</b> · {(p.file.size / 1024).toFixed(1)} KB {p.done ? '· stored' : ''}
            {p.error && <span className="text-danger"> · {p.error}</span>}
          </span>
          <ProgressBar value={p.pct} tone={p.error ? 'danger' : p.done ? 'success' : undefined} label={`Upload of ${p.file.name}`} />
        </div>
      ))}
      {canUpload && (
        <label className="btn self-start">
          Upload evidence…
          <input
            type="file"
            multiple
            hidden
            data-testid="evidence-input"
            onChange={(e) => {
              const files = [...(e.target.files ?? [])]
              e.target.value = ''
              if (files.length) start(files)
            }}
          />
        </label>
      )}
    </div>
  )
}

/** EvidencePreview shows images inline and the start of text files. */
function EvidencePreview({ ev }: { ev: Evidence }) {
  const image = /^image\/(png|jpeg|gif|webp)$/.test(ev.mime)
  const text = /^text\/|json|x-log/.test(ev.mime) && !/html|xml|svg/.test(ev.mime)
  const url = useLoad(async () => (image || text ? pb.files.getURL(ev, ev.file, { token: await pb.files.getToken() }) : ''), [ev.id])
  const content = useLoad(async () => {
    if (!text || !url.data) return ''
    const r = await fetch(url.data, { headers: { Range: 'bytes=0-4095' } })
    return (await r.text()).slice(0, 4096)
  }, [url.data])
  if (!url.data) return null
  if (image) return <img className="evidence-preview" src={url.data} alt={ev.note || ev.filename} data-testid="evidence-image" />
  if (content.data) return <pre className="codeblock evidence-text" data-testid="evidence-text">{content.data}</pre>
  return null
}

/** EditTest changes a draft's plan: name, technique, platform, procedure. */
function EditTest({ t, onClose, onSaved }: { t: TestRecord; onClose: () => void; onSaved: (n: TestRecord) => void }) {
  const [name, setName] = useState(t.name)
  const [procedure, setProcedure] = useState(t.procedure ?? '')
  const [platform, setPlatform] = useState(t.platform ?? '')
  const [tech, setTech] = useState<PickedTechnique | null>(t.expand?.technique ?? null)
  const save = async () => {
    if (!tech) throw new Error('Choose a technique.')
    onSaved(await pb.collection('tests').update<TestRecord>(t.id, { name, procedure, platform, technique: tech.id }, { expand: TEST_EXPAND }))
  }
  return (
    <FormDialog title={`Edit · ${t.name}`} wide onClose={onClose} onSubmit={save}>
        <TextInput label="Name" required value={name} onChange={(e) => setName(e.target.value)} />
        <TechniquePicker value={tech} onChange={setTech} required />
        <PlatformSelect value={platform} onChange={setPlatform} technique={tech?.platforms} />
        <TextArea label="Procedure (Markdown)" rows={10} value={procedure} onChange={(e) => setProcedure(e.target.value)} />
    </FormDialog>
  )
}

/** HistoryDetails shows a transition as "from → to" with its fields, and other changes as old → new. */
function HistoryDetails({ details, names }: { details: unknown; names: Record<string, string> }) {
  const d = (details ?? {}) as Record<string, unknown>
  if (typeof d.from === 'string' && typeof d.to === 'string') {
    const rest = Object.entries(d).filter(([k, v]) => !['from', 'to', 'action', 'revision'].includes(k) && v !== '' && v !== null && v !== undefined)
    return (
      <div className="row small history-details">
        <StateBadge state={d.from} /> → <StateBadge state={d.to} />
        {rest.map(([k, v]) => (
          <Badge key={k} tone="outline">
            {humanize(k)}: {typeof v === 'object' ? JSON.stringify(v) : (names[String(v)] ?? humanize(String(v)))}
          </Badge>
        ))}
      </div>
    )
  }
  return <Details details={details} names={names} />
}
