import { pb } from '../lib/pb'
import { navigate } from '../lib/router'

// When the sign-in policy requires an authenticator for the user's role, the
// API answers 403 with data.mfa.code = "enrolment_required": send the user to
// enrolment with an explanation instead of showing a bare error.

export const ENROL_PATH = '/me/security?required=1'

export function isEnrolmentRequired(status: number, body: unknown): boolean {
  const code = (body as { data?: { mfa?: { code?: string } } } | null)?.data?.mfa?.code
  return status === 403 && code === 'enrolment_required'
}

const previous = pb.afterSend
pb.afterSend = (response: Response, data: unknown, options?: unknown) => {
  if (isEnrolmentRequired(response.status, data) && !window.location.pathname.startsWith('/me/security')) navigate(ENROL_PATH)
  return previous ? (previous as (r: Response, d: unknown, o?: unknown) => unknown)(response, data, options) : data
}
