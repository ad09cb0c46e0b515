// Reading free text that users type into settings forms.

/** parseList reads a comma or newline separated list, trimmed, without blanks or repeats. */
export function parseList(v: string): string[] {
  return [...new Set(v.split(/[,\n]/).map((s) => s.trim()).filter(Boolean))]
}
