import { lazy, Suspense, useState } from 'react'
import { pb,} from '../../lib/pb'
import { useLoad } from '../../lib/data'
import { useAuth } from '../../lib/auth'
import { can } from '../../lib/roles'
import { asArray, formatDate, humanize } from '../../lib/format'
import { Link } from '../../lib/router'
import { Alert, Badge, Button, Card, EmptyState, PageHead, Spinner, useAction, useToast } from '../../ds'
import { highlightLine, ruleLanguage } from '../../lib/highlight'
import { severityTone } from '../../lib/findings'
import { unknownTechniques, type Rule } from './Rules'

const RuleEditor = lazy(() => import('../../components/RuleEditor'))

/** TOKEN_KINDS are the highlighted kinds of token (classes tok-… in styles.css). */
const TOKEN_KINDS = new Set(['key', 'string', 'comment', 'section', 'punct'])

export function Highlighted({ content, lang }: { content: string; lang: 'yaml' | 'toml' | 'text' }) {
  return (
    <pre className="codeblock scroll-560" data-testid="rule-content" data-lang={lang}>
      {content.split('\n').map((line, i) => (
        <div key={i}>
          {highlightLine(line, lang).map((t, j) => (
            <span key={j} className={TOKEN_KINDS.has(t.kind) ? `tok-${t.kind}` : undefined}>
              {t.text}
            </span>
          ))}
          {line === '' && '\u200b'}
        </div>
      ))}
    </pre>
  )
}

export default function RulePage({ params }: { params: Record<string, string> }) {
  const me = useAuth()
  const toast = useToast()
  const rule = useLoad(() => pb.collection('detection_rules').getOne<Rule>(params.id, { expand: 'techniques' }), [params.id])
  const { busy, run } = useAction()
  const [editing, setEditing] = useState(false)
  if (rule.loading && !rule.data) return <Spinner />
  if (rule.error)
    return (
      <Card>
        <EmptyState icon="?" title={rule.status === 404 ? 'Rule not found' : 'Could not load the rule'} action={<Link to="/rules">All rules</Link>}>
          {rule.error}
        </EmptyState>
      </Card>
    )
  const r = rule.data!
  const toggle = () =>
    run('toggle', 'Could not change the rule', async () => {
      const u = await pb.collection('detection_rules').update<Rule>(r.id, { enabled: !r.enabled }, { expand: 'techniques' })
      rule.set(u)
      toast.push({ title: u.enabled ? 'Rule enabled' : 'Rule disabled', tone: 'success' })
    })
  const unknown = unknownTechniques(r)
  // Sigma rules written in the UI are edited there; imported ones upstream.
  const authored = r.source === 'sigma' && (r as unknown as { meta?: { authored?: string } }).meta?.authored === 'ui'
  return (
    <div className="stack">
      <PageHead
        title={r.title}
        subtitle={
          <span className="row">
            <Badge>{humanize(r.source)}</Badge> <code>{r.source_rule_id}</code>
            {r.enabled ? <Badge tone="success">Enabled</Badge> : <Badge tone="outline">Disabled</Badge>}
            {r.removed && <Badge tone="danger">Removed upstream</Badge>}
          </span>
        }
        actions={
          <>
            <Link to="/rules">← All rules</Link>
            {can(me?.role, 'manage_content') && authored && (
              <Button onClick={() => setEditing(true)} data-testid="edit-rule">
                Edit rule
              </Button>
            )}
            {can(me?.role, 'manage_content') && (
              <Button variant={r.enabled ? 'default' : 'primary'} busy={busy === 'toggle'} onClick={toggle}>
                {r.enabled ? 'Disable rule' : 'Enable rule'}
              </Button>
            )}
          </>
        }
      />
      <Suspense fallback={null}>{editing && <RuleEditor initial={r.content} onClose={() => setEditing(false)} onSaved={() => (setEditing(false), rule.reload())} />}</Suspense>
      <div className="grid-2 two-one">
        <Card title="Rule content">
          {r.content ? <Highlighted content={r.content} lang={ruleLanguage(r.source, r.content)} /> : <p className="faint">No raw content stored.</p>}
        </Card>
        <div className="stack">
          <Card title="Details">
            <dl className="kv">
              <dt>Status</dt>
              <dd>{r.status || '—'}</dd>
              <dt>Severity</dt>
              <dd>{r.severity ? <Badge tone={severityTone(r.severity)}>{humanize(r.severity)}</Badge> : '—'}</dd>
              <dt>Author</dt>
              <dd>{r.author || '—'}</dd>
              <dt>Platforms</dt>
              <dd>{asArray<string>(r.platforms).join(', ') || '—'}</dd>
              <dt>Path</dt>
              <dd className="small">{r.path || '—'}</dd>
              <dt>Updated</dt>
              <dd>{formatDate(r.updated)}</dd>
            </dl>
            {r.description && <p className="muted small pre-wrap">{r.description}</p>}
          </Card>
          <Card title="Mapped techniques">
            {(r.expand?.techniques ?? []).length === 0 ? (
              <p className="faint">No technique mapped.</p>
            ) : (
              <div className="stack tight" data-testid="rule-techniques">
                {r.expand!.techniques!.map((t) => (
                  <Link key={t.id} to={`/techniques/${t.attack_id}`}>
                    <code>{t.attack_id}</code> {t.name}
                  </Link>
                ))}
              </div>
            )}
            {unknown.length > 0 && (
              <div className="mt-10">
                <Alert tone="warning">
                  Tags that match no known technique: {unknown.join(', ')}. They link once an ATT&amp;CK release that has them is imported.
                </Alert>
              </div>
            )}
          </Card>
        </div>
      </div>
    </div>
  )
}
