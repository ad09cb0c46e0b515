// Template arguments: Atomic Red Team and CALDERA procedures carry
// placeholders such as #{procdump_exe}; an operator sees them in a table with
// their defaults and copies the command with the values filled in.

export type ArgSpec = { description?: string; type?: string; default?: unknown }
export type ArgRow = { name: string; type: string; description: string; default: string }

/** argRows lists a template's input arguments, sorted by name. */
export function argRows(args: Record<string, ArgSpec> | null | undefined): ArgRow[] {
  if (!args || typeof args !== 'object') return []
  return Object.entries(args)
    .map(([name, a]) => ({ name, type: String(a?.type ?? ''), description: String(a?.description ?? ''), default: a?.default === undefined || a?.default === null ? '' : String(a.default) }))
    .sort((a, b) => a.name.localeCompare(b.name))
}

/** placeholders lists the #{name} placeholders of text, once each, in order. */
export function placeholders(text: string): string[] {
  const seen = new Set<string>()
  for (const m of text.matchAll(/#\{([^}\s]+)\}/g)) seen.add(m[1]!)
  return [...seen]
}

/** fillArguments replaces #{name} with the value given, else the default;
 *  unknown placeholders stay as they are, so nothing is silently dropped. */
export function fillArguments(text: string, rows: ArgRow[], values: Record<string, string> = {}): string {
  const byName = new Map(rows.map((r) => [r.name, r]))
  return text.replace(/#\{([^}\s]+)\}/g, (all, name: string) => {
    const v = values[name]
    if (v !== undefined && v !== '') return v
    const r = byName.get(name)
    return r && r.default !== '' ? r.default : all
  })
}

/** unfilled lists the placeholders still left in text after filling. */
export function unfilled(text: string, rows: ArgRow[], values: Record<string, string> = {}): string[] {
  return placeholders(fillArguments(text, rows, values))
}
