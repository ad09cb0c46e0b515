// Syntax colouring of raw detection rules (Sigma YAML, Elastic TOML).

/** ruleLanguage guesses how to highlight a rule's raw content. */
export function ruleLanguage(source: string, content: string): 'yaml' | 'toml' | 'text' {
  if (source === 'sigma') return 'yaml'
  if (source === 'elastic') return 'toml'
  if (/^\s*\[[\w.]+\]\s*$/m.test(content)) return 'toml'
  if (/^\s*[\w-]+:\s/m.test(content)) return 'yaml'
  return 'text'
}

export type Token = { text: string; kind: 'key' | 'string' | 'comment' | 'section' | 'punct' | 'plain' }

/** highlightLine splits one YAML or TOML line into coloured tokens. */
export function highlightLine(line: string, lang: 'yaml' | 'toml' | 'text'): Token[] {
  if (lang === 'text') return [{ text: line, kind: 'plain' }]
  const m = line.match(/^(\s*)(#.*)$/)
  if (m) return [{ text: m[1], kind: 'plain' }, { text: m[2], kind: 'comment' }].filter((t) => t.text)as Token[]
  if (lang === 'toml' && /^\s*\[\[?[^\]]+\]\]?\s*$/.test(line)) return [{ text: line, kind: 'section' }]
  const kv = lang === 'yaml' ? line.match(/^(\s*-?\s*)([\w.|-]+)(:)(\s?.*)$/) : line.match(/^(\s*)([\w.-]+)(\s*=)(\s*.*)$/)
  const out: Token[] = []
  let rest = line
  if (kv) {
    if (kv[1]) out.push({ text: kv[1], kind: 'plain' })
    out.push({ text: kv[2], kind: 'key' }, { text: kv[3], kind: 'punct' })
    rest = kv[4]
  }
  const s = rest.match(/^(\s*)(["'].*["']|'''.*|""".*)(\s*)$/)
  if (s) {
    if (s[1]) out.push({ text: s[1], kind: 'plain' })
    out.push({ text: s[2], kind: 'string' })
    if (s[3]) out.push({ text: s[3], kind: 'plain' })
  } else if (rest) out.push({ text: rest, kind: 'plain' })
  return out
}
