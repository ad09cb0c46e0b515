import { useEffect, useState, type FormEvent } from 'react'
import { pb, errorMessage, errorStatus } from '../lib/pb'
import { Alert, Button, TextInput } from '../ds'
import { mfaCode } from '../lib/mfa'
import { Logo } from './Logo'

/** ssoProvider finds the OpenID Connect provider in the auth methods answer. */
export function ssoProvider(methods: unknown): { name: string; displayName: string } | null {
  const providers = (methods as { oauth2?: { enabled?: boolean; providers?: { name: string; displayName?: string }[] } } | null)?.oauth2
  if (!providers || providers.enabled === false) return null
  const p = providers.providers?.find((x) => x.name === 'oidc')
  return p ? { name: p.name, displayName: p.displayName || 'single sign-on' } : null
}

export function LoginPage() {
  const [email, setEmail] = useState('')
  const [password, setPassword] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState('')
  // The second factor: set once the server asks for an authenticator code.
  const [otpStep, setOtpStep] = useState(false)
  const [otp, setOtp] = useState('')
  const [sso, setSso] = useState<{ name: string; displayName: string } | null>(null)

  useEffect(() => {
    pb.collection('users')
      .listAuthMethods()
      .then((m) => setSso(ssoProvider(m)))
      .catch(() => {})
  }, [])

  const submit = async (e: FormEvent) => {
    e.preventDefault()
    setBusy(true)
    setError('')
    try {
      // The SDK replaces (not merges) the body given in options, so the
      // identity and password go into it again with the code.
      await pb.collection('users').authWithPassword(email.trim(), password, otpStep ? { body: { identity: email.trim(), password, otp } } : {})
    } catch (err) {
      const s = errorStatus(err)
      const mfa = mfaCode(err)
      if (s === 401 && mfa === 'totp_required') {
        setOtpStep(true)
      } else if (s === 401 && mfa === 'totp_invalid') {
        setOtpStep(true)
        setOtp('')
        setError('The authenticator code is wrong or expired. Enter the current code.')
      } else {
        setError(s === 400 ? 'Wrong email or password, or the account is deactivated.' : s === 429 ? 'Too many attempts. Wait a minute and try again.' : errorMessage(err))
      }
    } finally {
      setBusy(false)
    }
  }

  const signInSso = async () => {
    setError('')
    try {
      await pb.collection('users').authWithOAuth2({ provider: 'oidc' })
    } catch (err) {
      setError(errorMessage(err))
    }
  }

  return (
    <div className="auth">
      <div className="card">
        <div className="card-body stack">
          <div>
            <div className="brand">
              <Logo />
              Aegis
            </div>
            <p className="muted m0">
              Sign in to validate your ATT&amp;CK coverage.
            </p>
          </div>
          <form className="stack" onSubmit={submit}>
            {error && <Alert>{error}</Alert>}
            {otpStep ? (
              <>
                <p className="muted m0">
                  Enter the 6-digit code from your authenticator app for <b>{email}</b>.
                </p>
                <TextInput label="Authenticator code" name="otp" inputMode="numeric" autoComplete="one-time-code" autoFocus required pattern="[0-9]{6}" value={otp} onChange={(e) => setOtp(e.target.value.replace(/\D/g, '').slice(0, 6))} />
                <Button type="submit" variant="primary" block busy={busy} disabled={otp.length !== 6}>
                  Verify
                </Button>
                <Button variant="ghost" block onClick={() => (setOtpStep(false), setOtp(''), setError(''))}>
                  Back
                </Button>
              </>
            ) : (
              <>
                <TextInput label="Email" type="email" name="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} />
                <TextInput label="Password" type="password" name="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
                <Button type="submit" variant="primary" block busy={busy}>
                  Sign in
                </Button>
              </>
            )}
          </form>
          {sso && !otpStep && (
            <Button block onClick={signInSso}>
              Sign in with {sso.displayName}
            </Button>
          )}
        </div>
      </div>
    </div>
  )
}
