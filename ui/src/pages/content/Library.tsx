import { useState } from 'react'
import type { RecordModel } from 'pocketbase'
import { pb, esc } from '../../lib/pb'
import { useLoad } from '../../lib/data'
import { useAuth } from '../../lib/auth'
import { can } from '../../lib/roles'
import { asArray, humanize } from '../../lib/format'
import { navigate, useLocation } from '../../lib/router'
import { Badge, Button, Card, EmptyState, FilterBar, FormDialog, Icon, ListError, Modal, PageHead, Pagination, Select, Table, TextArea, TextInput, useListState, useToast } from '../../ds'
import { andFilter } from '../../lib/filter'
import { argRows } from '../../components/args'
import { ArgTable } from '../../components/ArgTable'
import type { Technique } from '../attack/common'

// The test library: Atomic Red Team, CALDERA and hand-written procedures to
// build tests from.

export type Template = RecordModel & {
  source: string
  source_id: string
  technique: string
  technique_attack_id: string
  name: string
  description: string
  platforms: unknown
  executor: { name?: string; command?: string; cleanup_command?: string; cleanup?: string; elevation_required?: boolean } | null
  input_arguments: Record<string, { description?: string; type?: string; default?: unknown }> | null
  dependencies: unknown
  expand?: { technique?: Technique }
}

const PER_PAGE = 30
const PLATFORMS = ['windows', 'linux', 'macos', 'azure-ad', 'office-365', 'google-workspace', 'iaas', 'containers']

/** templateProcedure is the procedure text a new test starts from, in
 *  Markdown: the description, then the command and cleanup as code blocks
 *  (their #{argument} placeholders are filled when the test is run). */
export function templateProcedure(t: Pick<Template, 'executor' | 'description'>): string {
  const ex = t.executor ?? {}
  const lang = (ex.name ?? '').toLowerCase().replace(/[^a-z0-9_+-]/g, '')
  const fence = (s: string) => '```' + lang + '\n' + s.trim() + '\n```'
  const parts = [t.description?.trim(), ex.command ? `### Run${ex.name ? ` (${ex.name})` : ''}\n\n${fence(ex.command)}` : '', cleanupOf(t) ? `### Cleanup\n\n${fence(cleanupOf(t))}` : '']
  return parts.filter(Boolean).join('\n\n')
}

export function cleanupOf(t: Pick<Template, 'executor'>): string {
  return (t.executor?.cleanup_command || t.executor?.cleanup || '').trim()
}

export default function LibraryPage() {
  const me = useAuth()
  const { query } = useLocation()
  const source = query.get('source') ?? ''
  const platform = query.get('platform') ?? ''
  const [q, setQ] = useState(query.get('q') ?? '')
  const { page, sort, setPage, setSort, setFilter } = useListState({ sort: 'technique_attack_id' })
  const [open, setOpen] = useState<Template | null>(null)
  const filter = andFilter([
    source && `source = ${esc(source)}`,
    platform && `platforms ~ ${esc(platform)}`,
    q && `(name ~ ${esc(q)} || technique_attack_id ~ ${esc(q)} || technique.name ~ ${esc(q)})`,
  ])
  const list = useLoad(() => pb.collection('test_templates').getList<Template>(page, PER_PAGE, { filter, sort: `${sort},name`, expand: 'technique' }), [filter, page, sort])
  const items = list.data?.items ?? []
  return (
    <div className="stack">
      <PageHead title="Test library" subtitle="Atomic Red Team, CALDERA and manual procedures. Open one to see its executor, arguments and cleanup." />
      <Card flush>
        <FilterBar>
          <TextInput label="Search" placeholder="Name or technique (T1059)" value={q} onChange={(e) => (setQ(e.target.value), setFilter({ q: e.target.value }))} />
          <Select label="Source" placeholder="All sources" options={['atomic', 'caldera', 'manual'].map((s) => ({ value: s, label: humanize(s) }))} value={source} onChange={(e) => setFilter({ source: e.target.value })} />
          <Select label="Platform" placeholder="All platforms" options={PLATFORMS.map((s) => ({ value: s, label: s }))} value={platform} onChange={(e) => setFilter({ platform: e.target.value })} />
        </FilterBar>
        <ListError error={list.error} />
        <Table
          caption="Test templates"
          columns={[
            { key: 't', header: 'Technique', sort: 'technique_attack_id', width: 110, render: (t: Template) => <code>{t.technique_attack_id || t.expand?.technique?.attack_id || '—'}</code> },
            { key: 'n', header: 'Procedure', sort: 'name', render: (t: Template) => <b>{t.name}</b> },
            { key: 's', header: 'Source', sort: 'source', width: 90, render: (t: Template) => <Badge tone={t.source === 'atomic' ? 'red' : t.source === 'caldera' ? 'primary' : 'default'}>{humanize(t.source)}</Badge> },
            { key: 'p', header: 'Platforms', sort: 'platforms', render: (t: Template) => <span className="faint small">{asArray<string>(t.platforms).join(', ') || '—'}</span> },
            { key: 'e', header: 'Executor', width: 110, render: (t: Template) => <span className="small">{t.executor?.name ?? '—'}</span> },
          ]}
          rows={items}
          rowKey={(t) => t.id}
          loading={list.loading}
          onRowClick={setOpen}
          sort={sort}
          onSort={setSort}
          empty={
            <EmptyState icon={<Icon name="book" size={28} />} title={filter ? 'No procedures match' : 'The library is empty'}>
              {filter ? 'Try another search or filter.' : 'Import Atomic Red Team or CALDERA from Integrations & jobs.'}
            </EmptyState>
          }
        />
        <Pagination page={page} perPage={PER_PAGE} count={items.length} total={list.data?.totalItems} onPage={setPage} />
      </Card>
      {open && <TemplateDetail t={open} canCreate={can(me?.role, 'plan_campaigns')} onClose={() => setOpen(null)} />}
    </div>
  )
}

function TemplateDetail({ t, canCreate, onClose }: { t: Template; canCreate: boolean; onClose: () => void }) {
  const [creating, setCreating] = useState(false)
  const args = argRows(t.input_arguments)
  return (
    <Modal
      wide
      title={t.name}
      onClose={onClose}
      footer={
        <>
          <Button onClick={onClose}>Close</Button>
          {canCreate && (
            <Button variant="primary" onClick={() => setCreating(true)} disabled={!t.technique}>
              Create test from template
            </Button>
          )}
        </>
      }
    >
      <div className="stack">
        <div className="row">
          <Badge>{humanize(t.source)}</Badge>
          {t.expand?.technique ? (
            <span>
              <code>{t.expand.technique.attack_id}</code> {t.expand.technique.name}
            </span>
          ) : (
            <code>{t.technique_attack_id}</code>
          )}
          {asArray<string>(t.platforms).map((p) => (
            <Badge key={p} tone="outline">
              {p}
            </Badge>
          ))}
        </div>
        {t.description && <p className="muted m0 pre-wrap">{t.description}</p>}
        <div>
          <h3>Executor {t.executor?.name && <Badge tone="primary">{t.executor.name}</Badge>} {t.executor?.elevation_required && <Badge tone="warning">Elevation required</Badge>}</h3>
          <pre className="codeblock" data-testid="template-command">{t.executor?.command || 'No command (manual procedure).'}</pre>
        </div>
        {args.length > 0 && (
          <div>
            <h3>Input arguments</h3>
            <ArgTable rows={args} label="Input arguments" />
          </div>
        )}
        <div>
          <h3>Cleanup</h3>
          {cleanupOf(t) ? <pre className="codeblock">{cleanupOf(t)}</pre> : <p className="faint">No cleanup step.</p>}
        </div>
      </div>
      {creating && <CreateTest t={t} onClose={() => setCreating(false)} />}
    </Modal>
  )
}

function CreateTest({ t, onClose }: { t: Template; onClose: () => void }) {
  const toast = useToast()
  const [name, setName] = useState(t.name)
  const [procedure, setProcedure] = useState(templateProcedure(t))
  const submit = async () => {
    const rec = await pb.collection('tests').create({ template: t.id, technique: t.technique, procedure, name, platform: asArray<string>(t.platforms)[0] ?? '', revealed: true })
    toast.push({ title: 'Test created', body: name, tone: 'success' })
    navigate(`/tests/${rec.id}`)
  }
  return (
    <FormDialog title="Create test from template" onClose={onClose} onSubmit={submit} submitLabel="Create test">
      <TextInput label="Name" required value={name} onChange={(e) => setName(e.target.value)} />
      <TextArea label="Procedure" rows={8} value={procedure} onChange={(e) => setProcedure(e.target.value)} />
    </FormDialog>
  )
}
