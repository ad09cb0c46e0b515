import { useEffect, useState, type FormEvent } from 'react'
import type { RecordModel } from 'pocketbase'
import { api, errorMessage, pb } from '../../lib/pb'
import { useLoad } from '../../lib/data'
import { useAuth } from '../../lib/auth'
import { formatDate, humanize, relativeTime } from '../../lib/format'
import { Link } from '../../lib/router'
import { can } from '../../lib/roles'
import { allowedActions, importedUnconfirmed, type Action } from '../../lib/workflow'
import { Alert, Badge, Button, Card, EmptyState, PageHead, Spinner, Tabs, TextArea } from '../../ds'
import { TechniqueLink } from '../attack/common'
import { Details } from '../admin/Audit'
import { ActionButton, OutcomeBadges, StateBadge, TEST_EXPAND, type TestRecord } from './common'

type Comment = RecordModel & { body: string; author: string; expand?: { author?: RecordModel & { name: string; email: string } } }
type Evidence = RecordModel & { team: string; file: string; filename: string; mime: string; size: number; sha256: string; note: string; uploaded_by: string }
type AuditRow = { id: string; created: string; action: string; actor_name: string; collection: string; details: unknown }

export default function TestDetailPage({ params }: { params: Record<string, string> }) {
  const me = useAuth()
  const [tab, setTab] = useState('comments')
  const test = useLoad(() => pb.collection('tests').getOne<TestRecord>(params.id, { expand: TEST_EXPAND }), [params.id])
  const t = test.data
  const setTest = test.set

  useEffect(() => {
    let unsub: (() => Promise<void>) | null = null
    let dead = false
    pb.collection('tests')
      .subscribe<TestRecord>(params.id, (e) => setTest(e.record), { expand: TEST_EXPAND })
      .then((u) => {
        if (dead) u()
        else unsub = u
      })
      .catch(() => {})
    return () => {
      dead = true
      unsub?.().catch(() => {})
    }
  }, [params.id, setTest])

  const comments = useLoad(() => pb.collection('test_comments').getFullList<Comment>({ filter: pb.filter('test = {:t}', { t: params.id }), sort: 'created', expand: 'author' }), [params.id, t?.revision])
  const evidence = useLoad(() => pb.collection('evidence').getFullList<Evidence>({ filter: pb.filter('test = {:t}', { t: params.id }), sort: '-created' }), [params.id])
  // The server decides which actions this user may take now and builds the
  // history from the audit log of the test and everything hanging off it.
  const history = useLoad(() => api<{ items: AuditRow[] }>(`/api/aegis/tests/${encodeURIComponent(params.id)}/history?limit=200`).then((r) => [...(r.items ?? [])].reverse()), [params.id, t?.revision])
  const serverActions = useLoad(() => api<{ actions: Action[] }>(`/api/aegis/tests/${encodeURIComponent(params.id)}/actions`).then((r) => r.actions ?? []), [params.id, t?.revision, t?.state])

  if (test.loading && !t) return <Spinner />
  if (test.error) return <Alert>{test.status === 404 ? 'This test does not exist or is not visible to you.' : test.error}</Alert>
  if (!t || !me) return null
  const actions = serverActions.data ?? allowedActions(t, me.role, me.id)

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
        actions={actions.map((a) => (
          <ActionButton
            key={a}
            test={t}
            action={a}
            onDone={(n) => {
              if (n?.id !== t.id) return test.reload()
              setTest({ ...t, ...n })
              // A confirmation names a user the answer does not expand.
              if (n.outcome_confirmed_by !== t.outcome_confirmed_by) test.reload()
            }}
          />
        ))}
      />
      <div className="grid-2" style={{ gridTemplateColumns: 'minmax(0, 2fr) minmax(280px, 1fr)' }}>
        <div className="stack">
          <Card title="Procedure">{t.procedure ? <pre className="codeblock">{t.procedure}</pre> : <span className="faint">No procedure written.</span>}</Card>
          <Card flush>
            <div style={{ padding: '0 12px' }}>
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
            <div className="card-body">
              {tab === 'comments' && <Comments list={comments.data ?? []} testId={t.id} onAdded={comments.reload} />}
              {tab === 'evidence' && <EvidenceList list={evidence.data ?? []} testId={t.id} canUpload={can(me.role, 'execute_tests') || can(me.role, 'record_outcomes')} onAdded={evidence.reload} error={evidence.error} />}
              {tab === 'history' && (
                <div className="stack tight">
                  {(history.data ?? []).length === 0 && <EmptyState title="No history recorded" />}
                  {(history.data ?? []).map((h) => (
                    <div key={h.id} style={{ borderLeft: '3px solid var(--border-strong)', paddingLeft: 10 }}>
                      <div>
                        <b>{h.actor_name || 'system'}</b> · {humanize(h.action)} {h.collection && h.collection !== 'tests' && <Badge tone="outline">{h.collection}</Badge>} <span className="faint small">{relativeTime(h.created)}</span>
                      </div>
                      <HistoryDetails details={h.details} />
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
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState('')
  const submit = async (e: FormEvent) => {
    e.preventDefault()
    if (!body.trim()) return
    setBusy(true)
    setError('')
    try {
      await pb.collection('test_comments').create({ test: testId, author: me?.id, body })
      setBody('')
      onAdded()
    } catch (err) {
      setError(errorMessage(err))
    } finally {
      setBusy(false)
    }
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

function EvidenceList({ list, testId, canUpload, onAdded, error }: { list: Evidence[]; testId: string; canUpload: boolean; onAdded: () => void; error: string }) {
  const [busy, setBusy] = useState(false)
  const [msg, setMsg] = useState('')
  const download = async (ev: Evidence) => {
    try {
      const token = await pb.files.getToken()
      window.open(pb.files.getURL(ev, ev.file, { token, download: true }), '_blank')
    } catch (err) {
      setMsg(errorMessage(err))
    }
  }
  const upload = async (file: File) => {
    setBusy(true)
    setMsg('')
    try {
      const form = new FormData()
      form.append('file', file)
      await api(`/api/aegis/tests/${encodeURIComponent(testId)}/evidence`, { form })
      onAdded()
    } catch (err) {
      setMsg(errorMessage(err))
    } finally {
      setBusy(false)
    }
  }
  return (
    <div className="stack">
      {error && <Alert>{error}</Alert>}
      {msg && <Alert>{msg}</Alert>}
      {list.length === 0 && <span className="faint">No evidence attached.</span>}
      {list.map((ev) => (
        <div key={ev.id} className="row between">
          <span>
            <Badge tone={ev.team === 'blue' ? 'blue' : 'red'}>{ev.team}</Badge> <b>{ev.filename || ev.file}</b>{' '}
            <span className="faint small">
              {ev.mime} · {(ev.size / 1024).toFixed(1)} KB · sha256 {ev.sha256?.slice(0, 12)}…
            </span>
          </span>
          <Button size="small" onClick={() => download(ev)}>
            Download
          </Button>
        </div>
      ))}
      {canUpload && (
        <label className="btn" style={{ alignSelf: 'flex-start' }}>
          {busy ? 'Uploading…' : 'Upload evidence'}
          <input type="file" hidden onChange={(e) => e.target.files?.[0] && upload(e.target.files[0])} />
        </label>
      )}
    </div>
  )
}

/** HistoryDetails shows a transition as "from → to" with its fields, and other changes as old → new. */
function HistoryDetails({ details }: { details: unknown }) {
  const d = (details ?? {}) as Record<string, unknown>
  if (typeof d.from === 'string' && typeof d.to === 'string') {
    const rest = Object.entries(d).filter(([k, v]) => !['from', 'to', 'action', 'revision'].includes(k) && v !== '' && v !== null && v !== undefined)
    return (
      <div className="row small" style={{ margin: '4px 0 8px' }}>
        <StateBadge state={d.from} /> → <StateBadge state={d.to} />
        {rest.map(([k, v]) => (
          <Badge key={k} tone="outline">
            {humanize(k)}: {typeof v === 'object' ? JSON.stringify(v) : humanize(String(v))}
          </Badge>
        ))}
      </div>
    )
  }
  return <Details details={details} />
}
