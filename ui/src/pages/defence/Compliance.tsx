import { useState } from 'react'
import type { RecordModel } from 'pocketbase'
import { pb, esc,} from '../../lib/pb'
import { useLoad } from '../../lib/data'
import { useAuth } from '../../lib/auth'
import { can } from '../../lib/roles'
import { humanize } from '../../lib/format'
import { Link, setQuery, useLocation } from '../../lib/router'
import { Alert, Badge, Button, Card, EmptyState, FilterBar, Modal, PageHead, Pagination, Select, Spinner, Table, TextArea, TextInput, useAction, useListState, useToast } from '../../ds'
import { andFilter } from '../../lib/filter'
import { MappedTechniques, type Technique } from '../attack/common'
import { CONTROL_STATUSES } from '../../lib/vocabulary.gen'

// Compliance frameworks and their controls, each mapped to ATT&CK techniques.

export type Framework = RecordModel & { name: string; version: string; source: string; description: string }
type User = RecordModel & { name: string; email: string }
type Control = RecordModel & { framework: string; control_id: string; title: string; family: string; description: string; status: string; owner: string; notes: string; expand?: { owner?: User } }
type ControlMapping = RecordModel & { mapping_type: string; expand?: { technique?: Technique } }
export { CONTROL_STATUSES }
export const controlTone = (s: string) => (s === 'implemented' ? 'success' : s === 'partial' || s === 'planned' ? 'warning' : s === 'not_implemented' ? 'danger' : 'default')
const PER_PAGE = 50

export function useFrameworks() {
  return useLoad(() => pb.collection('compliance_frameworks').getFullList<Framework>({ sort: 'name' }), [])
}

export default function CompliancePage() {
  const me = useAuth()
  const manage = can(me?.role, 'manage_content')
  const { query } = useLocation()
  const fws = useFrameworks()
  const framework = query.get('framework') || fws.data?.[0]?.id || ''
  const status = query.get('status') ?? ''
  // Filters, sort, page and the open control live in the URL: each control is a
  // link (?control=id) that can be opened in a new tab, reloaded or gone back to.
  const { page, sort, setPage, setSort, setFilter } = useListState({ sort: 'control_id' })
  const [q, setQ] = useState(query.get('q') ?? '')
  const openId = query.get('control') ?? ''
  const opened = useLoad(() => (openId ? pb.collection('compliance_controls').getOne<Control>(openId, { expand: 'owner' }) : Promise.resolve(null)), [openId])
  const open = opened.data && opened.data.id === openId ? opened.data : null
  const close = () => setQuery({ control: null })
  const controlHref = (c: Control) => {
    const u = new URLSearchParams(query)
    u.set('control', c.id)
    return `/compliance?${u.toString()}`
  }
  const filter = andFilter([`framework = ${esc(framework)}`, status && `status = ${esc(status)}`, q && `(control_id ~ ${esc(q)} || title ~ ${esc(q)} || family ~ ${esc(q)})`])
  const list = useLoad(() => (framework ? pb.collection('compliance_controls').getList<Control>(page, PER_PAGE, { filter, sort: sort.replace(/^-/, '') === 'control_id' ? `${sort},id` : `${sort},control_id,id`, expand: 'owner' }) : Promise.resolve(null)), [filter, page, sort])
  const items = list.data?.items ?? []
  if (fws.loading && !fws.data) return <Spinner />
  return (
    <div className="stack">
      <PageHead
        title="Compliance"
        subtitle="Frameworks and controls mapped to ATT&CK techniques, with their status, owner and notes."
        actions={framework && <Link to={`/compliance/gaps?framework=${framework}`}>Gap analysis →</Link>}
      />
      {fws.error && <Alert>{fws.error}</Alert>}
      {fws.data && fws.data.length === 0 ? (
        <Card>
          <EmptyState icon="§" title="No frameworks yet">Import NIST 800-53, CIS, ISO 27001 or a CSV mapping from Integrations & jobs.</EmptyState>
        </Card>
      ) : (
        <Card flush>
          <FilterBar>
            <Select label="Framework" options={(fws.data ?? []).map((f) => ({ value: f.id, label: f.name + (f.version ? ` ${f.version}` : '') }))} value={framework} onChange={(e) => setFilter({ framework: e.target.value })} />
            <Select label="Status" placeholder="All" options={CONTROL_STATUSES.map((s) => ({ value: s, label: humanize(s) }))} value={status} onChange={(e) => setFilter({ status: e.target.value || null })} />
            <TextInput label="Search" placeholder="Control, title or family" value={q} onChange={(e) => (setQ(e.target.value), setFilter({ q: e.target.value || null }))} />
          </FilterBar>
          {list.error && <div className="pad"><Alert>{list.error}</Alert></div>}
          <Table
            caption="Controls"
            columns={[
              { key: 'i', header: 'Control', sort: 'control_id', width: 110, render: (c: Control) => <code>{c.control_id}</code> },
              { key: 't', header: 'Title', sort: 'title', render: (c: Control) => <b>{c.title || '—'}</b> },
              { key: 'f', header: 'Family', sort: 'family', render: (c: Control) => <span className="small muted">{c.family}</span> },
              { key: 's', header: 'Status', sort: 'status', width: 140, render: (c: Control) => <Badge tone={controlTone(c.status)}>{humanize(c.status || 'not_assessed')}</Badge> },
              { key: 'o', header: 'Owner', sort: 'owner.name', render: (c: Control) => c.expand?.owner?.name || c.expand?.owner?.email || <span className="faint">—</span> },
            ]}
            rows={items}
            rowKey={(c) => c.id}
            loading={list.loading}
            rowHref={controlHref}
            sort={sort}
            onSort={setSort}
            empty={<EmptyState title="No controls match" />}
          />
          <Pagination page={page} perPage={PER_PAGE} count={items.length} total={list.data?.totalItems} onPage={setPage} />
        </Card>
      )}
      {opened.error && openId && <Alert>{opened.error}</Alert>}
      {open && <ControlDetail key={open.id} c={open} manage={manage} onClose={close} onSaved={(c) => (list.set((cur) => cur && { ...cur, items: cur.items.map((x) => (x.id === c.id ? c : x)) }), close())} />}
    </div>
  )
}

function ControlDetail({ c, manage, onClose, onSaved }: { c: Control; manage: boolean; onClose: () => void; onSaved: (c: Control) => void }) {
  const toast = useToast()
  const maps = useLoad(() => pb.collection('control_mappings').getFullList<ControlMapping>({ filter: `control = ${esc(c.id)}`, expand: 'technique' }), [c.id])
  const users = useLoad(() => (manage ? pb.collection('users').getFullList<User>({ fields: 'id,name,email', sort: 'name' }) : Promise.resolve([] as User[])), [manage])
  const [v, setV] = useState({ status: c.status || 'not_assessed', owner: c.owner || '', notes: c.notes || '' })
  const { busy, run } = useAction()
  const save = () =>
    run('save', 'Could not save the control', async () => {
      const u = await pb.collection('compliance_controls').update<Control>(c.id, v, { expand: 'owner' })
      toast.push({ title: 'Control saved', tone: 'success' })
      onSaved(u)
    })
  return (
    <Modal
      wide
      title={`${c.control_id} ${c.title}`}
      onClose={onClose}
      footer={manage && <Button variant="primary" busy={busy === 'save'} onClick={save}>Save</Button>}
    >
      <div className="stack">
        {c.description && <p className="muted m0 pre-wrap">{c.description}</p>}
        {manage ? (
          <>
            <div className="filters">
              <Select label="Status" options={CONTROL_STATUSES.map((s) => ({ value: s, label: humanize(s) }))} value={v.status} onChange={(e) => setV({ ...v, status: e.target.value })} />
              <Select label="Owner" placeholder="No owner" options={(users.data ?? []).map((u) => ({ value: u.id, label: u.name || u.email }))} value={v.owner} onChange={(e) => setV({ ...v, owner: e.target.value })} />
            </div>
            <TextArea label="Notes" rows={3} value={v.notes} onChange={(e) => setV({ ...v, notes: e.target.value })} />
          </>
        ) : (
          <dl className="kv">
            <dt>Status</dt>
            <dd><Badge tone={controlTone(c.status)}>{humanize(c.status || 'not_assessed')}</Badge></dd>
            <dt>Owner</dt>
            <dd>{c.expand?.owner?.name || c.expand?.owner?.email || '—'}</dd>
            <dt>Notes</dt>
            <dd className="pre-wrap">{c.notes || '—'}</dd>
          </dl>
        )}
        <h3>Mapped techniques</h3>
        <MappedTechniques maps={maps} note={(m) => (m.mapping_type ? `· ${humanize(m.mapping_type)}` : '')} />
      </div>
    </Modal>
  )
}
