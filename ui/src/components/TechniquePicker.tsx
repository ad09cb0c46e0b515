import { useEffect, useState } from 'react'
import { esc, pb } from '../lib/pb'
import { Badge, Button, Field, TextInput } from '../ds'
import type { Technique } from '../pages/attack/common'

export type PickedTechnique = Pick<Technique, 'id' | 'attack_id' | 'name'> & { platforms?: unknown }

/** searchTechniques finds up to limit current techniques by ATT&CK id or name. */
export async function searchTechniques(q: string, limit = 8): Promise<PickedTechnique[]> {
  const t = q.trim()
  if (!t) return []
  const filter = `revoked = false && deprecated = false && (attack_id ~ ${esc(t)} || name ~ ${esc(t)})`
  const r = await pb.collection('techniques').getList<PickedTechnique>(1, limit, { filter, sort: 'attack_id', fields: 'id,attack_id,name,platforms', skipTotal: true })
  // An exact id first: "T1003.001" should not drown among its siblings.
  return r.items.sort((a, b) => Number(b.attack_id.toUpperCase() === t.toUpperCase()) - Number(a.attack_id.toUpperCase() === t.toUpperCase()))
}

/** TechniquePicker searches techniques as one types and picks one. */
export function TechniquePicker({ value, onChange, label = 'Technique', required }: { value: PickedTechnique | null; onChange: (t: PickedTechnique | null) => void; label?: string; required?: boolean }) {
  const [q, setQ] = useState('')
  const [hits, setHits] = useState<PickedTechnique[]>([])
  useEffect(() => {
    let dead = false
    const h = setTimeout(() => {
      searchTechniques(q)
        .then((r) => !dead && setHits(r))
        .catch(() => !dead && setHits([]))
    }, 200)
    return () => {
      dead = true
      clearTimeout(h)
    }
  }, [q])
  if (value)
    return (
      <Field label={label}>
        <span className="row" data-testid="technique-picked">
          <Badge tone="primary">
            <code>{value.attack_id}</code> {value.name}
          </Badge>
          <Button size="small" variant="ghost" onClick={() => onChange(null)}>
            Change
          </Button>
        </span>
      </Field>
    )
  return (
    <div className="stack tight">
      <TextInput label={label} placeholder="ATT&CK id or name, e.g. T1003.001 or LSASS" value={q} required={required} onChange={(e) => setQ(e.target.value)} data-testid="technique-search" />
      {hits.length > 0 && (
        <ul className="pick-list bare-list boxed" role="listbox" aria-label="Matching techniques">
          {hits.map((t) => (
            <li key={t.id}>
              <button type="button" className="btn ghost block left" onClick={() => (onChange(t), setQ(''), setHits([]))} data-testid="technique-hit">
                <code>{t.attack_id}</code>&nbsp;{t.name}
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  )
}
