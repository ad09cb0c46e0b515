import { useState } from 'react'
import type { RecordModel } from 'pocketbase'
import { pb, esc, errorMessage } from '../../lib/pb'
import { useLoad } from '../../lib/data'
import { useAuth } from '../../lib/auth'
import { can } from '../../lib/roles'
import { humanize } from '../../lib/format'
import { setQuery, useLocation } from '../../lib/router'
import { Alert, Badge, Card, EmptyState, FilterBar, Icon, Modal, PageHead, Select, Spinner, Tabs, TextInput, useToast } from '../../ds'
import { andFilter } from '../../lib/filter'
import { MappedTechniques, type Technique } from '../attack/common'
import { D3FEND_STATUSES } from '../../lib/vocabulary.gen'

// D3FEND countermeasures by tactic, their implementation status and the
// ATT&CK techniques they counter.

type Countermeasure = RecordModel & { d3fend_id: string; name: string; tactic: string; definition: string; level0: string; level1: string; uri: string; status: string }
type Mapping = RecordModel & { via: string; expand?: { technique?: Technique } }
const TACTICS = ['model', 'harden', 'detect', 'isolate', 'deceive', 'evict', 'restore']
export { D3FEND_STATUSES }
const statusTone = (s: string) => (s === 'implemented' ? 'success' : s === 'partial' ? 'warning' : 'default')

export default function D3fendPage() {
  const me = useAuth()
  const manage = can(me?.role, 'manage_content')
  const { query } = useLocation()
  const tactic = query.get('tactic') || 'harden'
  const [q, setQ] = useState('')
  const [open, setOpen] = useState<Countermeasure | null>(null)
  const toast = useToast()
  const filter = andFilter([`tactic = ${esc(tactic)}`, q && `(name ~ ${esc(q)} || d3fend_id ~ ${esc(q)})`])
  const list = useLoad(() => pb.collection('d3fend_techniques').getList<Countermeasure>(1, 500, { filter, sort: 'level0,name', skipTotal: true }), [filter])
  const items = list.data?.items ?? []
  const setStatus = async (c: Countermeasure, status: string) => {
    try {
      await pb.collection('d3fend_techniques').update(c.id, { status })
      list.set((cur) => cur && { ...cur, items: cur.items.map((x) => (x.id === c.id ? { ...x, status } : x)) })
    } catch (err) {
      toast.push({ title: 'Could not change the status', body: errorMessage(err), tone: 'error' })
    }
  }
  return (
    <div className="stack">
      <PageHead title="D3FEND" subtitle="Defensive countermeasures by tactic, with their implementation status. Implemented countermeasures raise the score of the techniques they counter." />
      <Tabs tabs={TACTICS.map((t) => ({ id: t, label: humanize(t) }))} value={tactic} onChange={(t) => setQuery({ tactic: t })} />
      <FilterBar plain>
        <TextInput label="Search" placeholder="Name or D3FEND id" value={q} onChange={(e) => setQ(e.target.value)} />
      </FilterBar>
      {list.error && <Alert>{list.error}</Alert>}
      {list.loading && !list.data && <Spinner />}
      {list.data && items.length === 0 && (
        <Card>
          <EmptyState icon={<Icon name="layers" size={28} />} title="No countermeasures here">Import the D3FEND ontology from Integrations & jobs.</EmptyState>
        </Card>
      )}
      {items.length > 0 && (
        <Card flush>
          <table className="table">
            <thead>
              <tr>
                <th>Countermeasure</th>
                <th>Group</th>
                <th className="w-200">Status</th>
              </tr>
            </thead>
            <tbody>
              {items.map((c) => (
                <tr key={c.id}>
                  <td>
                    <button className="btn ghost small strong" onClick={() => setOpen(c)}>{c.name}</button> <code className="faint small">{c.d3fend_id}</code>
                  </td>
                  <td className="small muted">{[c.level0, c.level1].filter(Boolean).join(' › ') || '—'}</td>
                  <td>
                    {manage ? (
                      <Select aria-label={`Status of ${c.name}`} options={D3FEND_STATUSES.map((s) => ({ value: s, label: humanize(s) }))} value={c.status || 'not_implemented'} onChange={(e) => setStatus(c, e.target.value)} />
                    ) : (
                      <Badge tone={statusTone(c.status)}>{humanize(c.status || 'not_implemented')}</Badge>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </Card>
      )}
      {open && <CountermeasureDetail c={open} onClose={() => setOpen(null)} />}
    </div>
  )
}

function CountermeasureDetail({ c, onClose }: { c: Countermeasure; onClose: () => void }) {
  const maps = useLoad(() => pb.collection('d3fend_mappings').getFullList<Mapping>({ filter: `d3fend = ${esc(c.id)}`, expand: 'technique' }), [c.id])
  return (
    <Modal wide title={c.name} onClose={onClose}>
      <div className="stack">
        <div className="row">
          <code>{c.d3fend_id}</code> <Badge>{humanize(c.tactic)}</Badge> <Badge tone={statusTone(c.status)}>{humanize(c.status || 'not_implemented')}</Badge>
          {c.uri && <a href={c.uri} target="_blank" rel="noreferrer">d3fend.mitre.org <Icon name="external" size={12} /></a>}
        </div>
        {c.definition && <p className="muted m0">{c.definition}</p>}
        <h3>Countered ATT&amp;CK techniques</h3>
        <MappedTechniques maps={maps} note={(m) => (m.via ? `via ${m.via}` : '')} />
      </div>
    </Modal>
  )
}
