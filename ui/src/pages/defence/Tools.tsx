import { useState } from 'react'
import type { RecordModel } from 'pocketbase'
import { pb, errorMessage } from '../../lib/pb'
import { useLoad } from '../../lib/data'
import { useAuth } from '../../lib/auth'
import { can } from '../../lib/roles'
import { humanize } from '../../lib/format'
import { Alert, Badge, Button, Card, Checkbox, EmptyState, FormDialog, Icon, PageHead, Select, Table, TextArea, TextInput, useToast } from '../../ds'
import { DEFENSE_TOOL_KINDS } from '../../lib/vocabulary.gen'

// Defense tools whose per-tool outcomes tests record.

type Tool = RecordModel & { name: string; kind: string; vendor: string; active: boolean; notes: string }
const kindLabel = (k: string) => (k === 'other' || k === 'email' ? humanize(k) : k.toUpperCase())

export default function ToolsPage() {
  const me = useAuth()
  const manage = can(me?.role, 'manage_content')
  const list = useLoad(() => pb.collection('defense_tools').getFullList<Tool>({ sort: 'name' }), [])
  const [edit, setEdit] = useState<Partial<Tool> | null>(null)
  const toast = useToast()
  const remove = async (t: Tool) => {
    if (!confirm(`Delete ${t.name}? Outcomes recorded for it stay on the tests.`)) return
    try {
      await pb.collection('defense_tools').delete(t.id)
      list.reload()
    } catch (err) {
      toast.push({ title: 'Could not delete', body: errorMessage(err), tone: 'error' })
    }
  }
  return (
    <div className="stack">
      <PageHead title="Defense tools" subtitle="EDR, SIEM, NDR and other tools whose outcomes tests record." actions={manage && <Button variant="primary" onClick={() => setEdit({ kind: 'edr', active: true })}>Add tool</Button>} />
      {list.error && <Alert>{list.error}</Alert>}
      <Card flush>
        <Table
          caption="Defense tools"
          columns={[
            { key: 'n', header: 'Tool', render: (t: Tool) => <b>{t.name}</b> },
            { key: 'k', header: 'Kind', width: 100, render: (t: Tool) => <Badge tone="blue">{kindLabel(t.kind || 'other')}</Badge> },
            { key: 'v', header: 'Vendor', render: (t: Tool) => t.vendor || <span className="faint">—</span> },
            { key: 'a', header: 'State', width: 100, render: (t: Tool) => (t.active ? <Badge tone="success">Active</Badge> : <Badge tone="outline">Inactive</Badge>) },
            { key: 'o', header: 'Notes', render: (t: Tool) => <span className="small muted">{t.notes}</span> },
            ...(manage
              ? [
                  {
                    key: 'x',
                    header: '',
                    width: 150,
                    render: (t: Tool) => (
                      <span className="row">
                        <Button size="small" onClick={() => setEdit(t)}>Edit</Button>
                        <Button size="small" variant="danger" onClick={() => remove(t)}>Delete</Button>
                      </span>
                    ),
                  },
                ]
              : []),
          ]}
          rows={list.data ?? []}
          rowKey={(t) => t.id}
          loading={list.loading}
          empty={<EmptyState icon={<Icon name="tool" size={28} />} title="No defense tools yet">{manage ? 'Add the EDR, SIEM and other tools your tests are judged against.' : 'A blue lead adds the tools your tests are judged against.'}</EmptyState>}
        />
      </Card>
      {edit && <ToolForm tool={edit} onClose={() => setEdit(null)} onSaved={() => (setEdit(null), list.reload())} />}
    </div>
  )
}

function ToolForm({ tool, onClose, onSaved }: { tool: Partial<Tool>; onClose: () => void; onSaved: () => void }) {
  const [v, setV] = useState<Partial<Tool>>(tool)
  const submit = async () => {
    const body = { name: v.name, kind: v.kind, vendor: v.vendor ?? '', active: !!v.active, notes: v.notes ?? '' }
    if (tool.id) await pb.collection('defense_tools').update(tool.id, body)
    else await pb.collection('defense_tools').create(body)
    onSaved()
  }
  return (
    <FormDialog title={tool.id ? `Edit ${tool.name}` : 'Add a defense tool'} onClose={onClose} onSubmit={submit}>
        <TextInput label="Name" required value={v.name ?? ''} onChange={(e) => setV({ ...v, name: e.target.value })} />
        <Select label="Kind" options={DEFENSE_TOOL_KINDS.map((k) => ({ value: k, label: kindLabel(k) }))} value={v.kind ?? 'other'} onChange={(e) => setV({ ...v, kind: e.target.value })} />
        <TextInput label="Vendor" value={v.vendor ?? ''} onChange={(e) => setV({ ...v, vendor: e.target.value })} />
        <Checkbox label="Active" checked={!!v.active} onChange={(e) => setV({ ...v, active: e.target.checked })} />
        <TextArea label="Notes" rows={3} value={v.notes ?? ''} onChange={(e) => setV({ ...v, notes: e.target.value })} />
    </FormDialog>
  )
}
