import { useState } from 'react'
import { api, errorMessage } from '../../lib/pb'
import { useLoad } from '../../lib/data'
import { Alert, Badge, Button, Card, EmptyState, FormDialog, Icon, Modal, ProgressBar, Table, TextInput, useAction, useToast } from '../../ds'

// Backups: create, verify and restore. A restore restarts the server, so the
// page waits for /api/health to answer again and then reloads.

type Report = Record<string, unknown> & { status?: string }

/** waitForHealth polls /api/health until the server answers 200 (after a restart). */
export async function waitForHealth(opts: { timeoutMs?: number; intervalMs?: number; fetcher?: typeof fetch; sawDown?: boolean } = {}): Promise<boolean> {
  const { timeoutMs = 180_000, intervalMs = 1000, fetcher = fetch } = opts
  const end = Date.now() + timeoutMs
  let down = !!opts.sawDown
  // Give the server a moment to go down so a still-running old process is not mistaken for the restored one.
  await new Promise((r) => setTimeout(r, Math.min(intervalMs * 2, 1500)))
  while (Date.now() < end) {
    try {
      const r = await fetcher('/api/health', { cache: 'no-store' })
      if (r.ok && (down || Date.now() > end - timeoutMs + 5000)) return true
      if (!r.ok) down = true
    } catch {
      down = true
    }
    await new Promise((r) => setTimeout(r, intervalMs))
  }
  return false
}

export function Backups() {
  const toast = useToast()
  const list = useLoad(() => api<{ items: string[] | null }>('/api/aegis/backups'), [])
  const [name, setName] = useState('')
  const { busy, run } = useAction()
  const [report, setReport] = useState<{ name: string; rep: Report; ok: boolean } | null>(null)
  const [confirmRestore, setConfirmRestore] = useState('')
  const [restoring, setRestoring] = useState<'' | 'waiting' | 'timeout'>('')
  const create = () =>
    run('create', 'Backup failed', async () => {
      const r = await api<{ name: string }>('/api/aegis/backups', { body: name ? { name } : {} })
      toast.push({ title: 'Backup created', body: r.name, tone: 'success' })
      setName('')
      list.reload()
    })
  // A failed verification is its report: shown in the dialog, not a toast.
  const verify = (n: string) =>
    run('verify:' + n, 'Verification failed', async () => {
      try {
        setReport({ name: n, rep: await api<Report>(`/api/aegis/backups/${encodeURIComponent(n)}/verify`, { method: 'POST' }), ok: true })
      } catch (err) {
        setReport({ name: n, rep: { error: errorMessage(err) }, ok: false })
      }
    })
  // A refused restore throws: the confirmation dialog says why.
  const restore = async (n: string) => {
    await api(`/api/aegis/backups/${encodeURIComponent(n)}/restore`, { method: 'POST' })
    setConfirmRestore('')
    setRestoring('waiting')
    const ok = await waitForHealth()
    if (ok) window.location.reload()
    else setRestoring('timeout')
  }
  if (restoring)
    return (
      <Card title="Restoring">
        <div className="stack" data-testid="restoring">
          {restoring === 'waiting' ? (
            <>
              <p>Restoring the backup; the server restarts on the restored data. Reconnecting…</p>
              <ProgressBar value={null} label="Restoring" />
            </>
          ) : (
            <Alert>The server has not come back within three minutes. Check its logs, then reload this page.</Alert>
          )}
        </div>
      </Card>
    )
  const items = list.data?.items ?? []
  return (
    <div className="stack">
      <Card
        title="Backups"
        actions={
          <>
            <input className="input w-220" aria-label="Backup name" placeholder="name.zip (optional)" value={name} onChange={(e) => setName(e.target.value)} />
            <Button variant="primary" busy={busy === 'create'} onClick={create}>Create backup</Button>
          </>
        }
      >
        {list.error && <Alert>{list.error}</Alert>}
        <Table
          caption="Backups"
          columns={[
            { key: 'n', header: 'Backup', render: (n: string) => <code>{n}</code> },
            {
              key: 'a',
              header: '',
              width: 220,
              render: (n: string) => (
                <span className="row">
                  <Button size="small" busy={busy === 'verify:' + n} onClick={() => verify(n)}>Verify</Button>
                  <Button size="small" variant="danger" onClick={() => setConfirmRestore(n)}>Restore…</Button>
                </span>
              ),
            },
          ]}
          rows={[...items].sort().reverse()}
          rowKey={(n) => n}
          loading={list.loading}
          empty={<EmptyState icon={<Icon name="archive" size={28} />} title="No backups yet">Create one now; scheduled backups appear here too.</EmptyState>}
        />
      </Card>
      {report && (
        <Modal title={`Verification of ${report.name}`} onClose={() => setReport(null)}>
          <div className="stack">
            {report.ok ? <Badge tone="success">Backup is intact</Badge> : <Alert>{String(report.rep.error)}</Alert>}
            <pre className="codeblock small">{JSON.stringify(report.rep, null, 2)}</pre>
          </div>
        </Modal>
      )}
      {confirmRestore && (
        <RestoreConfirm name={confirmRestore} onCancel={() => setConfirmRestore('')} onConfirm={() => restore(confirmRestore)} />
      )}
    </div>
  )
}

function RestoreConfirm({ name, onCancel, onConfirm }: { name: string; onCancel: () => void; onConfirm: () => Promise<void> }) {
  const [typed, setTyped] = useState('')
  return (
    <FormDialog title="Restore this backup?" onClose={onCancel} onSubmit={onConfirm} variant="danger" submitLabel="Restore and restart" disabled={typed !== 'RESTORE'}>
      <Alert tone="warning">Everything changed since <code>{name}</code> was taken is lost. The server verifies the backup, restarts on it and signs everyone in again.</Alert>
      <TextInput label='Type "RESTORE" to confirm' value={typed} onChange={(e) => setTyped(e.target.value)} />
    </FormDialog>
  )
}
