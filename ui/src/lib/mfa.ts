// Multi-factor sign-in: reading PocketBase's MFA answer.

/** mfaCode reads PocketBase's MFA answer code from an error response, if any. */
export function mfaCode(err: unknown): string {
  const data = (err as { response?: { data?: { mfa?: { code?: string } } }; data?: { data?: { mfa?: { code?: string } } } })
  return data?.response?.data?.mfa?.code ?? data?.data?.data?.mfa?.code ?? ''
}
