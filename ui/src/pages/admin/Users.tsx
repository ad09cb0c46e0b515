import { useState } from 'react'
import type { RecordModel } from 'pocketbase'
import { api, pb, errorMessage, esc } from '../../lib/pb'
import { useLoad } from '../../lib/data'
import { useAuth } from '../../lib/auth'
import { can, roleLabel, roleTone, ROLES, ROLE_DESCRIPTIONS, ROLE_LABELS } from '../../lib/roles'
import { formatDate } from '../../lib/format'
import { useLocation } from '../../lib/router'
import { Badge, Button, Card, Checkbox, FilterBar, FormDialog, ListError, PageHead, Pagination, Select, Table, TextInput, type Column, useListState, useToast } from '../../ds'

type User = RecordModel & { email?: string; name: string; role: string; active: boolean; created: string }

const PER_PAGE = 20
const roleOptions = ROLES.map((r) => ({ value: r, label: ROLE_LABELS[r] }))

export default function UsersPage() {
  const me = useAuth()
  const admin = can(me?.role, 'manage_users')
  const { query } = useLocation()
  const { page, sort, setPage, setSort, setFilter } = useListState({ sort: 'name' })
  const [q, setQ] = useState(query.get('q') ?? '')
  const role = query.get('role') ?? ''
  const [creating, setCreating] = useState(false)
  const toast = useToast()

  const filter = [q && `(name ~ ${esc(q)} || email ~ ${esc(q)})`, role && `role = ${esc(role)}`].filter(Boolean).join(' && ')
  const list = useLoad(() => pb.collection('users').getList<User>(page, PER_PAGE, { sort: `${sort},name,email,id`, filter }), [page, filter, sort])

  const update = async (u: User, body: Partial<User>, what: string) => {
    try {
      await pb.collection('users').update(u.id, body)
      toast.push({ title: what, tone: 'success' })
      list.reload()
    } catch (err) {
      toast.push({ title: 'Could not update the user', body: errorMessage(err), tone: 'error' })
    }
  }

  const columns: Column<User>[] = [
    {
      key: 'name',
      header: 'User',
      sort: 'name',
      render: (u) => (
        <div>
          <div className="fw-500">
            {u.name || '—'} {u.id === me?.id && <Badge tone="outline">you</Badge>}
          </div>
          <div className="faint small">{u.email || 'email hidden'}</div>
        </div>
      ),
    },
    {
      key: 'role',
      header: 'Role',
      sort: 'role',
      width: 200,
      render: (u) =>
        admin && u.id !== me?.id ? (
          <Select aria-label={`Role of ${u.name || u.email}`} options={roleOptions} value={u.role} onChange={(e) => update(u, { role: e.target.value }, `Role changed to ${roleLabel(e.target.value)}`)} />
        ) : (
          <Badge tone={roleTone(u.role)}>{roleLabel(u.role)}</Badge>
        ),
    },
    { key: 'active', header: 'Status', sort: 'active', width: 110, render: (u) => (u.active ? <Badge tone="success">Active</Badge> : <Badge tone="danger">Deactivated</Badge>) },
    { key: 'created', header: 'Created', sort: 'created', width: 170, render: (u) => <span className="muted small">{formatDate(u.created)}</span> },
  ]
  const signOut = async (u: User) => {
    try {
      await api(`/api/aegis/users/${u.id}/sign-out`, { method: 'POST', body: {} })
      toast.push({ title: `${u.name || u.email} signed out everywhere`, tone: 'success' })
    } catch (err) {
      toast.push({ title: 'Could not sign the user out', body: errorMessage(err), tone: 'error' })
    }
  }
  if (admin)
    columns.push({
      key: 'actions',
      header: '',
      width: 250,
      render: (u) =>
        u.id === me?.id ? null : (
          <span className="row nowrap">
            <Button size="small" variant="ghost" onClick={() => signOut(u)} title="Revoke every session of this user">
              Sign out
            </Button>
            {u.active ? (
          <Button size="small" variant="danger" onClick={() => update(u, { active: false }, `${u.name || u.email} deactivated`)}>
            Deactivate
          </Button>
        ) : (
          <Button size="small" onClick={() => update(u, { active: true }, `${u.name || u.email} reactivated`)}>
            Reactivate
          </Button>
            )}
          </span>
        ),
    })

  return (
    <div className="stack">
      <PageHead
        title="Users & roles"
        subtitle={admin ? 'Invite people and give each the role they need.' : 'Who works in this Aegis. Only administrators can change users.'}
        actions={
          admin && (
            <Button variant="primary" onClick={() => setCreating(true)}>
              + New user
            </Button>
          )
        }
      />
      <Card flush>
        <FilterBar>
          <TextInput label="Search" placeholder="Name or email" value={q} onChange={(e) => (setQ(e.target.value), setFilter({ q: e.target.value || null }))} />
          <Select label="Role" placeholder="All roles" options={roleOptions} value={role} onChange={(e) => setFilter({ role: e.target.value || null })} />
        </FilterBar>
        <ListError error={list.error} />
        <Table columns={columns} rows={list.data?.items ?? []} rowKey={(u) => u.id} loading={list.loading} caption="Users" sort={sort} onSort={setSort} />
        <Pagination page={page} perPage={PER_PAGE} count={list.data?.items.length ?? 0} total={list.data?.totalItems} onPage={setPage} />
      </Card>
      <Card title="Roles">
        <dl className="kv">
          {ROLES.map((r) => (
            <div key={r} className="contents">
              <dt>
                <Badge tone={roleTone(r)}>{ROLE_LABELS[r]}</Badge>
              </dt>
              <dd className="muted">{ROLE_DESCRIPTIONS[r]}</dd>
            </div>
          ))}
        </dl>
      </Card>
      {creating && (
        <CreateUser
          onClose={() => setCreating(false)}
          onCreated={(u) => {
            setCreating(false)
            toast.push({ title: 'User created', body: `${u.email} · ${roleLabel(u.role)}`, tone: 'success' })
            list.reload()
          }}
        />
      )}
    </div>
  )
}

function CreateUser({ onClose, onCreated }: { onClose: () => void; onCreated: (u: User) => void }) {
  const [f, setF] = useState({ name: '', email: '', role: 'viewer', password: '', passwordConfirm: '', active: true })
  // The password policy in force (the server refuses anything shorter).
  const policy = useLoad(() => api<{ minPasswordLength: number }>('/api/aegis/setup'), [])
  const minLength = policy.data?.minPasswordLength ?? 10
  const set = (k: keyof typeof f) => (e: { target: { value: string } }) => setF((x) => ({ ...x, [k]: e.target.value }))
  const mismatch = f.passwordConfirm !== '' && f.password !== f.passwordConfirm
  const submit = async () => onCreated(await pb.collection('users').create<User>({ ...f, email: f.email.trim(), emailVisibility: false }))
  return (
    <FormDialog title="New user" onClose={onClose} onSubmit={submit} submitLabel="Create user" disabled={mismatch}>
        <TextInput label="Name" name="name" value={f.name} onChange={set('name')} required />
        <TextInput label="Email" name="email" type="email" value={f.email} onChange={set('email')} required />
        <Select label="Role" name="role" options={roleOptions} value={f.role} onChange={set('role')} hint={ROLE_DESCRIPTIONS[f.role]} />
        <div className="grid-2">
          <TextInput
            label="Password"
            name="password"
            type="password"
            minLength={minLength}
            hint={`At least ${minLength} characters`}
            value={f.password}
            onChange={set('password')}
            required
            autoComplete="new-password"
          />
          <TextInput
            label="Confirm password"
            name="passwordConfirm"
            type="password"
            value={f.passwordConfirm}
            onChange={set('passwordConfirm')}
            required
            autoComplete="new-password"
            error={mismatch ? 'Does not match.' : undefined}
          />
        </div>
        <Checkbox label="Active (can sign in)" checked={f.active} onChange={(e) => setF((x) => ({ ...x, active: e.target.checked }))} />
    </FormDialog>
  )
}
