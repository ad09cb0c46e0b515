// Cron specs as the server reads them (five fields in UTC: minute hour
// day-of-month month day-of-week, or @hourly/@daily/@weekly/@monthly/@yearly):
// a human reading and the next runs, so a planner sees what a schedule means
// before saving it. The server validates again on save.

const DESCRIPTORS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
}
const FIELDS = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12 },
  { name: 'day of week', min: 0, max: 6 },
]
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday']
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December']

export type Cron = { values: Set<number>[]; star: boolean[] }

/** parseCron reads a spec or throws an Error naming the faulty field. */
export function parseCron(spec: string): Cron {
  const s = spec.trim()
  if (!s) throw new Error('The schedule is empty.')
  const expanded = s.startsWith('@') ? DESCRIPTORS[s.toLowerCase()] : s
  if (!expanded) throw new Error(`Unknown shorthand ${s}: use @hourly, @daily, @weekly, @monthly or @yearly.`)
  const parts = expanded.split(/\s+/)
  if (parts.length !== 5) throw new Error(`A schedule has 5 fields (minute hour day-of-month month day-of-week); this one has ${parts.length}.`)
  const values: Set<number>[] = []
  const star: boolean[] = []
  parts.forEach((p, i) => {
    const f = FIELDS[i]!
    const set = new Set<number>()
    star.push(p === '*' || p.startsWith('*/') || p === '?')
    for (const item of p.split(',')) {
      const m = item.match(/^(\*|\?|(\d+)(?:-(\d+))?)(?:\/(\d+))?$/)
      if (!m) throw new Error(`The ${f.name} field "${p}" is not understood.`)
      let lo = f.min
      let hi = f.max
      if (m[2] !== undefined) {
        lo = Number(m[2])
        hi = m[3] !== undefined ? Number(m[3]) : m[4] !== undefined ? f.max : lo
      }
      const step = m[4] !== undefined ? Number(m[4]) : 1
      if (i === 4 && hi === 7) hi = 6 // 7 is Sunday too
      if (lo < f.min || hi > f.max || lo > hi) throw new Error(`The ${f.name} must be between ${f.min} and ${f.max}.`)
      if (step < 1) throw new Error(`The ${f.name} step must be at least 1.`)
      for (let v = lo; v <= hi; v += step) set.add(v)
      if (i === 4 && m[2] === '7') set.add(0)
    }
    values.push(set)
  })
  return { values, star }
}

function matches(c: Cron, d: Date): boolean {
  const [mi, h, dom, mo, dow] = c.values as [Set<number>, Set<number>, Set<number>, Set<number>, Set<number>]
  if (!mi.has(d.getUTCMinutes()) || !h.has(d.getUTCHours()) || !mo.has(d.getUTCMonth() + 1)) return false
  const domOk = dom.has(d.getUTCDate())
  const dowOk = dow.has(d.getUTCDay())
  // As cron: when both day fields are restricted, either may match.
  if (c.star[2] || c.star[4]) return domOk && dowOk
  return domOk || dowOk
}

/** nextRuns lists the next n run times (UTC) strictly after from. */
export function nextRuns(spec: string, n = 3, from = new Date()): Date[] {
  const c = parseCron(spec)
  const out: Date[] = []
  const d = new Date(Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), from.getUTCDate(), from.getUTCHours(), from.getUTCMinutes() + 1))
  const limit = from.getTime() + 5 * 366 * 86400_000
  while (out.length < n && d.getTime() < limit) {
    if (!c.values[3]!.has(d.getUTCMonth() + 1)) {
      d.setUTCMonth(d.getUTCMonth() + 1, 1)
      d.setUTCHours(0, 0)
      continue
    }
    if (!matches({ ...c, values: [new Set([d.getUTCMinutes()]), new Set([d.getUTCHours()]), c.values[2]!, c.values[3]!, c.values[4]!] }, d)) {
      d.setUTCDate(d.getUTCDate() + 1)
      d.setUTCHours(0, 0)
      continue
    }
    if (!c.values[1]!.has(d.getUTCHours())) {
      d.setUTCHours(d.getUTCHours() + 1, 0)
      continue
    }
    if (matches(c, d)) out.push(new Date(d))
    d.setUTCMinutes(d.getUTCMinutes() + 1)
  }
  return out
}

const pad = (n: number) => String(n).padStart(2, '0')
const list = (xs: string[]) => (xs.length <= 1 ? xs.join('') : `${xs.slice(0, -1).join(', ')} and ${xs[xs.length - 1]}`)

/** describeCron reads a spec aloud, e.g. "At 02:00 UTC on Monday". */
export function describeCron(spec: string): string {
  const c = parseCron(spec)
  const [mi, h, dom, mo, dow] = c.values.map((s) => [...s].sort((a, b) => a - b)) as [number[], number[], number[], number[], number[]]
  const full = (i: number) => c.values[i]!.size === FIELDS[i]!.max - FIELDS[i]!.min + 1
  let time: string
  if (full(0) && full(1)) time = 'Every minute'
  else if (full(1) && mi.length === 1) time = `At minute ${mi[0]} of every hour`
  else if (full(1)) time = `At minutes ${list(mi.map(String))} of every hour`
  else if (mi.length * h.length <= 6) time = `At ${list(h.flatMap((x) => mi.map((m) => `${pad(x)}:${pad(m)}`)))} UTC`
  else time = `At minute ${list(mi.map(String))} of hours ${list(h.map(String))} (UTC)`
  const parts = [time]
  const days: string[] = []
  if (!full(2)) days.push(`on day ${list(dom.map(String))} of the month`)
  if (!full(4)) days.push(`on ${list(dow.map((d) => DAYS[d]!))}`)
  if (days.length === 2) parts.push(days.join(c.star[2] || c.star[4] ? ' and ' : ' or '))
  else if (days.length === 1) parts.push(days[0]!)
  else if (!(full(0) && full(1)) && !(full(1))) parts.push('every day')
  if (!full(3)) parts.push(`in ${list(mo.map((m) => MONTHS[m - 1]!))}`)
  return parts.join(' ')
}

/** cronHelp returns [reading, next runs] or [error, []] for a form field. */
export function cronHelp(spec: string, n = 3, from = new Date()): { ok: boolean; text: string; next: Date[] } {
  if (!spec.trim()) return { ok: true, text: 'No recurrence.', next: [] }
  try {
    return { ok: true, text: describeCron(spec), next: nextRuns(spec, n, from) }
  } catch (err) {
    return { ok: false, text: err instanceof Error ? err.message : String(err), next: [] }
  }
}
