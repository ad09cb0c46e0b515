// Building PocketBase filter expressions.

/** andFilter joins non-empty PocketBase filter parts with &&. */
export function andFilter(parts: (string | false | null | undefined)[]): string {
  return parts.filter(Boolean).join(' && ')
}
