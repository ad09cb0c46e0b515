import { useEffect, useRef, useState } from 'react'
import { esc, errorMessage, pb } from '../lib/pb'
import { navigate } from '../lib/router'
import { Icon } from '../ds'

// The command palette (Ctrl/Cmd-K): finds techniques, tests, campaigns,
// threat actors and detection rules by id or name, and opens one with Enter.

export type Hit = { kind: 'Technique' | 'Test' | 'Campaign' | 'Actor' | 'Rule'; id: string; label: string; ref?: string; href: string }

type Source = {
  kind: Hit['kind']
  collection: string
  filter: (q: string) => string
  fields: string
  hit: (r: Record<string, string>) => Hit
}

const SOURCES: Source[] = [
  {
    kind: 'Technique',
    collection: 'techniques',
    filter: (q) => `revoked = false && (attack_id ~ ${esc(q)} || name ~ ${esc(q)})`,
    fields: 'id,attack_id,name',
    hit: (r) => ({ kind: 'Technique', id: r.id!, ref: r.attack_id, label: r.name!, href: `/techniques/${encodeURIComponent(r.attack_id!)}` }),
  },
  {
    kind: 'Test',
    collection: 'tests',
    filter: (q) => `(name ~ ${esc(q)} || id = ${esc(q)})`,
    fields: 'id,name,state',
    hit: (r) => ({ kind: 'Test', id: r.id!, label: r.name || r.id!, ref: r.state, href: `/tests/${r.id}` }),
  },
  {
    kind: 'Campaign',
    collection: 'campaigns',
    filter: (q) => `(name ~ ${esc(q)} || id = ${esc(q)})`,
    fields: 'id,name,status',
    hit: (r) => ({ kind: 'Campaign', id: r.id!, label: r.name || r.id!, ref: r.status, href: `/campaigns/${r.id}` }),
  },
  {
    kind: 'Actor',
    collection: 'threat_actors',
    filter: (q) => `(name ~ ${esc(q)} || attack_id ~ ${esc(q)} || aliases ~ ${esc(q)})`,
    fields: 'id,attack_id,name',
    hit: (r) => ({ kind: 'Actor', id: r.id!, ref: r.attack_id, label: r.name!, href: `/actors/${r.id}` }),
  },
  {
    kind: 'Rule',
    collection: 'detection_rules',
    filter: (q) => `(title ~ ${esc(q)} || source_rule_id ~ ${esc(q)} || id = ${esc(q)})`,
    fields: 'id,title,source',
    hit: (r) => ({ kind: 'Rule', id: r.id!, label: r.title || r.id!, ref: r.source, href: `/rules/${r.id}` }),
  },
]

/** rankHits puts exact id matches first, then labels starting with the query, keeping each kind's order otherwise. */
export function rankHits(q: string, hits: Hit[]): Hit[] {
  const n = q.trim().toLowerCase()
  const score = (h: Hit) => {
    if (h.ref?.toLowerCase() === n || h.id.toLowerCase() === n) return 0
    if (h.label.toLowerCase() === n) return 1
    if (h.ref?.toLowerCase().startsWith(n) || h.label.toLowerCase().startsWith(n)) return 2
    return 3
  }
  return hits.map((h, i) => ({ h, i, s: score(h) })).sort((a, b) => a.s - b.s || a.i - b.i).map((x) => x.h)
}

/** searchAll asks every source for a few matches at once; a source that fails is left out. */
export async function searchAll(q: string, perKind = 5): Promise<Hit[]> {
  const t = q.trim()
  if (!t) return []
  const lists = await Promise.all(
    SOURCES.map((s) =>
      pb
        .collection(s.collection)
        .getList<Record<string, string>>(1, perKind, { filter: s.filter(t), fields: s.fields, skipTotal: true, requestKey: null })
        .then((r) => r.items.map(s.hit))
        .catch(() => [] as Hit[]),
    ),
  )
  return rankHits(t, lists.flat())
}

export default function Palette({ onClose, search = searchAll }: { onClose: () => void; search?: (q: string) => Promise<Hit[]> }) {
  const [q, setQ] = useState('')
  const [hits, setHits] = useState<Hit[]>([])
  const [at, setAt] = useState(0)
  const [error, setError] = useState('')
  const [busy, setBusy] = useState(false)
  const input = useRef<HTMLInputElement>(null)
  useEffect(() => input.current?.focus(), [])
  useEffect(() => {
    let live = true
    if (!q.trim()) {
      setHits([])
      return
    }
    setBusy(true)
    const t = setTimeout(() => {
      search(q)
        .then((h) => live && (setHits(h), setAt(0), setError('')))
        .catch((err) => live && setError(errorMessage(err)))
        .finally(() => live && setBusy(false))
    }, 120)
    return () => {
      live = false
      clearTimeout(t)
    }
  }, [q, search])
  const open = (h: Hit | undefined) => {
    if (!h) return
    onClose()
    navigate(h.href)
  }
  const onKey = (e: React.KeyboardEvent) => {
    if (e.key === 'Escape') {
      e.preventDefault()
      onClose()
    } else if (e.key === 'ArrowDown') {
      e.preventDefault()
      setAt((i) => Math.min(hits.length - 1, i + 1))
    } else if (e.key === 'ArrowUp') {
      e.preventDefault()
      setAt((i) => Math.max(0, i - 1))
    } else if (e.key === 'Enter') {
      e.preventDefault()
      open(hits[at])
    }
  }
  return (
    <div className="modal-backdrop palette-backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div className="palette" role="dialog" aria-modal="true" aria-label="Go to" onKeyDown={onKey}>
        <div className="palette-input">
          <Icon name="search" />
          <input
            ref={input}
            value={q}
            onChange={(e) => setQ(e.target.value)}
            placeholder="Technique, test, campaign, actor or rule: id or name"
            aria-label="Search techniques, tests, campaigns, actors and rules"
            role="combobox"
            aria-expanded={hits.length > 0}
            aria-controls="palette-list"
            aria-activedescendant={hits[at] ? `palette-${hits[at]!.kind}-${hits[at]!.id}` : undefined}
          />
          <kbd>Esc</kbd>
        </div>
        <ul id="palette-list" role="listbox" className="palette-list">
          {hits.map((h, i) => (
            <li
              key={h.kind + h.id}
              id={`palette-${h.kind}-${h.id}`}
              role="option"
              aria-selected={i === at}
              onMouseEnter={() => setAt(i)}
              onMouseDown={(e) => (e.preventDefault(), open(h))}
            >
              <span className="badge">{h.kind}</span>
              {h.ref && <code>{h.ref}</code>}
              <span className="grow">{h.label}</span>
            </li>
          ))}
        </ul>
        <div className="palette-foot faint small">
          {error ? error : busy ? 'Searching…' : q.trim() && hits.length === 0 ? 'Nothing found.' : '↑ ↓ to move · Enter to open · in lists: j / k and Enter'}
        </div>
      </div>
    </div>
  )
}
