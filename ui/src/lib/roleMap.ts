// Single sign-on claim → role maps as editable rows.

/** roleMapRows turns a claim→role map into editable rows and back. */
export function roleMapRows(m: Record<string, string> | null | undefined): { claim: string; role: string }[] {
  return Object.entries(m ?? {}).map(([claim, role]) => ({ claim, role }))
}
export function rowsToRoleMap(rows: { claim: string; role: string }[]): Record<string, string> {
  const out: Record<string, string> = {}
  for (const r of rows) if (r.claim.trim() && r.role) out[r.claim.trim()] = r.role
  return out
}
