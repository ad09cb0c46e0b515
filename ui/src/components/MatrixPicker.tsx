import { useMemo, useState } from 'react'
import { api, errorMessage, pb } from '../lib/pb'
import { useLoad } from '../lib/data'
import { asArray, plural } from '../lib/format'
import { Alert, Badge, Button, LevelLegend, Select, Spinner, TextInput } from '../ds'
import { buildMatrix, cellLevel, loadMatrix } from '../pages/attack/Matrix'
import { indexCoverage, type CoverageMatrix } from '../pages/attack/common'
import { draftsFor, isPicked, toggle, type PickTech } from './matrixPick'

// A compact ATT&CK matrix for the campaign editor: the red lead clicks
// several techniques (coloured by coverage, as on the matrix page) and adds
// one draft test per technique to the campaign. Loaded on demand.

const DOMAIN = 'enterprise-attack'

export default function MatrixPicker({ campaign, platform: initial, onAdded }: { campaign: string; platform: string; onAdded: (what: string) => void }) {
  const [platform, setPlatform] = useState(initial.toLowerCase())
  const [q, setQ] = useState('')
  const [sel, setSel] = useState<PickTech[]>([])
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState('')
  const data = useLoad(() => loadMatrix(DOMAIN), [])
  const coverage = useLoad(() => api<CoverageMatrix>(`/api/aegis/coverage/matrix?domain=${DOMAIN}` + (platform ? `&platform=${encodeURIComponent(platform)}` : '')).catch(() => null), [platform])
  const existing = useLoad(
    async () => new Set((await pb.collection('tests').getFullList({ filter: pb.filter('campaign = {:c}', { c: campaign }), fields: 'technique', batch: 500 })).map((r) => r.technique as string)),
    [campaign],
  )
  const scores = useMemo(() => indexCoverage(coverage.data ?? null), [coverage.data])
  const cols = useMemo(() => (data.data ? buildMatrix(data.data.tactics, data.data.techniques) : []), [data.data])
  const platforms = useMemo(() => [...new Set((data.data?.techniques ?? []).flatMap((t) => asArray<string>(t.platforms)))].sort(), [data.data])
  const needle = q.trim().toLowerCase()
  const shown = (t: PickTech) => (!platform || asArray<string>(t.platforms).some((p) => p.toLowerCase() === platform)) && (!needle || t.name.toLowerCase().includes(needle) || t.attack_id.toLowerCase().includes(needle))
  const have = existing.data ?? new Set<string>()

  const add = async () => {
    const bodies = draftsFor(sel, campaign, platform, have)
    if (!bodies.length) return
    setBusy(true)
    setError('')
    let done = 0
    try {
      for (const b of bodies) {
        await pb.collection('tests').create(b)
        done++
      }
      onAdded(`${plural(done, 'draft test')} added from the matrix`)
      setSel([])
      existing.reload()
    } catch (err) {
      setError(`${done} of ${bodies.length} added: ${errorMessage(err)}`)
      existing.reload()
    } finally {
      setBusy(false)
    }
  }

  return (
    <div className="stack">
      {error && <Alert>{error}</Alert>}
      <div className="row">
        <Select label="Platform" placeholder="All platforms" options={platforms.map((p) => ({ value: p.toLowerCase(), label: p }))} value={platform} onChange={(e) => setPlatform(e.target.value)} />
        <TextInput label="Narrow" placeholder="Name or T-id" value={q} onChange={(e) => setQ(e.target.value)} data-testid="pick-narrow" />
        <div className="grow" />
        {coverage.data && <LevelLegend />}
      </div>
      {data.loading && !data.data && <Spinner label="Loading the matrix…" />}
      {data.error && <Alert>{data.error}</Alert>}
      {cols.length > 0 && (
        <div className="matrix compact pick-matrix" data-testid="pick-matrix" aria-label="Pick techniques on the ATT&CK matrix">
          <div className="matrix-grid">
            {cols.map((c) => {
              const list = c.techniques.filter(({ t }) => shown(t))
              return (
                <section key={c.tactic.id} className="matrix-col" aria-label={c.tactic.name}>
                  <header>
                    <b title={c.tactic.name}>{c.tactic.name}</b>
                    <span>{list.length}</span>
                  </header>
                  {list.map(({ t }) => {
                    const sc = scores.get(t.attack_id)
                    const picked = isPicked(sel, t.id)
                    const inCampaign = have.has(t.id)
                    return (
                      <button
                        type="button"
                        key={c.tactic.id + t.id}
                        className={`tcell pick lvl-${cellLevel(t, sc, !!coverage.data)}${picked ? ' picked' : ''}`}
                        aria-pressed={picked}
                        disabled={inCampaign}
                        title={`${t.attack_id} ${t.name}${sc ? ` · score ${Math.round(sc.score)}` : ''}${inCampaign ? ' · already in this campaign' : ''}`}
                        data-testid="pick-cell"
                        data-attack-id={t.attack_id}
                        onClick={() => setSel((s) => toggle(s, t))}
                      >
                        {picked && <span aria-hidden="true">✓ </span>}
                        {t.name}
                        <span className="tid">{t.attack_id}</span>
                      </button>
                    )
                  })}
                </section>
              )
            })}
          </div>
        </div>
      )}
      <div className="row">
        <Button variant="primary" disabled={!sel.length} busy={busy} onClick={add} data-testid="add-picked-tests">
          Add {sel.length ? plural(sel.length, 'draft test') : 'draft tests'}
        </Button>
        {sel.map((t) => (
          <Badge key={t.id} tone="primary" title={t.name}>
            {t.attack_id}
          </Badge>
        ))}
        {sel.length > 0 && (
          <Button variant="ghost" onClick={() => setSel([])}>
            Clear
          </Button>
        )}
      </div>
    </div>
  )
}
