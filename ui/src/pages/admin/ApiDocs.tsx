import { useMemo, useState } from 'react'
import { useLoad } from '../../lib/data'
import { api } from '../../lib/pb'
import { Alert, Badge, Card, EmptyState, PageHead, Spinner, Tabs, TextInput } from '../../ds'

// Renders /api/aegis/openapi.json: routes grouped by tag with method, path,
// summary, who may call it and example bodies, plus the record shapes.

type Json = Record<string, unknown>
export type Operation = {
  method: string
  path: string
  tag: string
  summary: string
  description: string
  auth: string
  params: { name: string; in: string; required: boolean; description: string }[]
  requestType: string
  request: unknown
  response: unknown
  produces: string
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete']

function example(content: unknown): { type: string; value: unknown } {
  if (!content || typeof content !== 'object') return { type: '', value: undefined }
  const [type, media] = Object.entries(content as Json)[0] ?? ['', {}]
  const m = (media ?? {}) as Json
  if (m.example !== undefined) return { type, value: m.example }
  const exs = m.examples as Json | undefined
  if (exs && typeof exs === 'object') {
    const first = Object.values(exs)[0] as Json | undefined
    if (first && 'value' in first) return { type, value: first.value }
  }
  const schema = m.schema as Json | undefined
  if (schema?.example !== undefined) return { type, value: schema.example }
  return { type, value: undefined }
}

function authOf(op: Json, doc: Json): string {
  for (const k of ['x-aegis-auth', 'x-auth', 'x-roles']) {
    const v = op[k]
    if (typeof v === 'string') return v
    if (Array.isArray(v)) return v.join(', ')
  }
  const sec = (op.security ?? doc.security) as unknown[] | undefined
  if (Array.isArray(sec)) return sec.length === 0 || sec.every((s) => s && Object.keys(s as object).length === 0) ? 'public' : 'user'
  return ''
}

/** operations flattens an OpenAPI document into a sorted list. */
export function operations(doc: Json): Operation[] {
  const out: Operation[] = []
  const paths = (doc.paths ?? {}) as Record<string, Json>
  for (const [path, item] of Object.entries(paths)) {
    for (const method of METHODS) {
      const op = item[method] as Json | undefined
      if (!op) continue
      const req = example((op.requestBody as Json | undefined)?.content)
      const responses = (op.responses ?? {}) as Record<string, Json>
      const okKey = Object.keys(responses).find((k) => k.startsWith('2')) ?? Object.keys(responses)[0]
      const res = example(okKey ? responses[okKey]?.content : undefined)
      const params = ([...((item.parameters as Json[]) ?? []), ...((op.parameters as Json[]) ?? [])] as Json[]).map((p) => ({
        name: String(p.name ?? ''),
        in: String(p.in ?? ''),
        required: !!p.required,
        description: String(p.description ?? ''),
      }))
      out.push({
        method: method.toUpperCase(),
        path,
        tag: ((op.tags as string[]) ?? [])[0] ?? 'other',
        summary: String(op.summary ?? ''),
        description: String(op.description ?? ''),
        auth: authOf(op, doc),
        params,
        requestType: req.type,
        request: req.value,
        response: res.value,
        produces: res.type,
      })
    }
  }
  return out.sort((a, b) => a.tag.localeCompare(b.tag) || a.path.localeCompare(b.path) || METHODS.indexOf(a.method.toLowerCase()) - METHODS.indexOf(b.method.toLowerCase()))
}

export default function ApiDocsPage() {
  const doc = useLoad(() => api<Json>('/api/aegis/openapi.json'), [])
  const [q, setQ] = useState('')
  const [tab, setTab] = useState('routes')
  const ops = useMemo(() => (doc.data ? operations(doc.data) : []), [doc.data])
  const shown = ops.filter((o) => !q || (o.path + ' ' + o.summary + ' ' + o.tag).toLowerCase().includes(q.toLowerCase()))
  const groups = new Map<string, Operation[]>()
  for (const o of shown) groups.set(o.tag, [...(groups.get(o.tag) ?? []), o])
  const schemas = (((doc.data?.components as Json | undefined)?.schemas ?? {}) as Record<string, Json>) || {}
  const info = (doc.data?.info ?? {}) as Json

  return (
    <div className="stack">
      <PageHead
        title="API docs"
        subtitle={
          <>
            Custom routes under <code>/api/aegis/</code>, from{' '}
            <a href="/api/aegis/openapi.json" target="_blank" rel="noreferrer">
              openapi.json
            </a>
            . Collections use PocketBase's standard <code>/api/collections/…</code> API, guarded by role rules.
          </>
        }
        actions={info.version ? <Badge tone="outline">v{String(info.version)}</Badge> : undefined}
      />
      {doc.loading && <Spinner />}
      {doc.error && (
        <Alert>
          The API description is not available from this server ({doc.status === 404 ? 'route not found' : doc.error}).
        </Alert>
      )}
      {doc.data && (
        <>
          <Tabs
            tabs={[
              { id: 'routes', label: `Routes (${ops.length})` },
              { id: 'schemas', label: `Record shapes (${Object.keys(schemas).length})` },
            ]}
            value={tab}
            onChange={setTab}
          />
          {tab === 'routes' && (
            <>
              <div className="mw-360">
                <TextInput label="Filter" placeholder="Path, summary or tag" value={q} onChange={(e) => setQ(e.target.value)} />
              </div>
              {groups.size === 0 && <EmptyState title="No documented routes match" />}
              {[...groups.entries()].map(([tag, list]) => (
                <Card key={tag} title={tag} flush>
                  {list.map((o) => (
                    <OpRow key={o.method + o.path} op={o} />
                  ))}
                </Card>
              ))}
            </>
          )}
          {tab === 'schemas' && (
            <div className="stack">
              {Object.keys(schemas).length === 0 && <EmptyState title="No record shapes described" />}
              {Object.entries(schemas).map(([name, s]) => (
                <Card key={name} title={name} flush>
                  <SchemaTable schema={s} />
                </Card>
              ))}
            </div>
          )}
        </>
      )}
    </div>
  )
}

function OpRow({ op }: { op: Operation }) {
  const [open, setOpen] = useState(false)
  return (
    <div className="divided" data-testid="api-op">
      <button
        onClick={() => setOpen((o) => !o)}
        aria-expanded={open}
        className="op-head"
      >
        <span className={`method ${op.method.toLowerCase()}`}>{op.method}</span>
        <code className="strong">{op.path}</code>
        <span className="muted grow">{op.summary}</span>
        {op.auth && <Badge tone={op.auth === 'public' ? 'warning' : 'outline'}>{op.auth}</Badge>}
      </button>
      {open && (
        <div className="stack tight op-body">
          {op.description && <div className="prose muted">{op.description}</div>}
          {op.params.length > 0 && (
            <table className="table">
              <thead>
                <tr>
                  <th>Parameter</th>
                  <th>In</th>
                  <th>Description</th>
                </tr>
              </thead>
              <tbody>
                {op.params.map((p) => (
                  <tr key={p.in + p.name}>
                    <td className="mono">
                      {p.name}
                      {p.required && <span className="text-danger"> *</span>}
                    </td>
                    <td>{p.in}</td>
                    <td className="muted">{p.description}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {(op.request !== undefined || op.requestType) && (
            <div>
              <div className="faint small">Request {op.requestType && <code>{op.requestType}</code>}</div>
              {op.request !== undefined && <pre className="codeblock">{JSON.stringify(op.request, null, 2)}</pre>}
            </div>
          )}
          {op.response !== undefined && (
            <div>
              <div className="faint small">Response {op.produces && <code>{op.produces}</code>}</div>
              <pre className="codeblock">{typeof op.response === 'string' ? op.response : JSON.stringify(op.response, null, 2)}</pre>
            </div>
          )}
        </div>
      )}
    </div>
  )
}

function SchemaTable({ schema }: { schema: Json }) {
  const props = (schema.properties ?? {}) as Record<string, Json>
  const required = new Set((schema.required as string[]) ?? [])
  const typeOf = (p: Json): string => {
    if (p.$ref) return String(p.$ref).split('/').pop() ?? ''
    if (p.enum) return (p.enum as unknown[]).map(String).join(' | ')
    if (p.type === 'array') return `${typeOf((p.items ?? {}) as Json)}[]`
    return Array.isArray(p.type) ? p.type.join(' | ') : String(p.type ?? 'any')
  }
  return (
    <table className="table">
      <thead>
        <tr>
          <th>Field</th>
          <th>Type</th>
          <th>Description</th>
        </tr>
      </thead>
      <tbody>
        {Object.entries(props).map(([k, p]) => (
          <tr key={k}>
            <td className="mono">
              {k}
              {required.has(k) && <span className="text-danger"> *</span>}
            </td>
            <td className="mono small">{typeOf(p)}</td>
            <td className="muted">{String(p.description ?? '')}</td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}
