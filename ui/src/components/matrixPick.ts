// Selection logic of the matrix picker: techniques are toggled by id (a
// technique sits under several tactics but is picked once), and each picked
// technique becomes one draft test named after it.

export type PickTech = { id: string; attack_id: string; name: string; platforms?: unknown }

/** toggle adds a technique to the selection or removes it; the selection keeps click order. */
export function toggle(sel: PickTech[], t: PickTech): PickTech[] {
  return sel.some((x) => x.id === t.id) ? sel.filter((x) => x.id !== t.id) : [...sel, t]
}

/** isPicked says whether a technique is in the selection. */
export function isPicked(sel: PickTech[], id: string): boolean {
  return sel.some((x) => x.id === id)
}

/** draftsFor is the body of one draft test per picked technique, skipping techniques the campaign already tests. */
export function draftsFor(sel: PickTech[], campaign: string, platform: string, already: Set<string> = new Set()) {
  return sel.filter((t) => !already.has(t.id)).map((t) => ({ name: `${t.attack_id} ${t.name}`, technique: t.id, campaign, platform }))
}
