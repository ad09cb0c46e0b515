import { useEffect, useState, type FormEvent } from 'react'
import { api, errorMessage, pb } from '../../lib/pb'
import { useAuth, logout } from '../../lib/auth'
import { useLocation } from '../../lib/router'
import { Alert, Badge, Button, Card, PageHead, Spinner, TextInput, useToast } from '../../ds'

// The signed-in user's own security: an authenticator app (TOTP) and signing
// out of every session.

type Setup = { secret: string; uri: string }

/** groupSecret spaces a base32 secret in fours so it is easy to type. */
export function groupSecret(s: string): string {
  return s.replace(/\s+/g, '').replace(/(.{4})/g, '$1 ').trim()
}

/** cleanCode keeps the digits of an authenticator code, at most six. */
export function cleanCode(v: string): string {
  return v.replace(/\D/g, '').slice(0, 6)
}

function QRCode({ text }: { text: string }) {
  const [svg, setSvg] = useState('')
  useEffect(() => {
    let dead = false
    import('qrcode-generator').then((m) => {
      const qr = m.default(0, 'M')
      qr.addData(text)
      qr.make()
      if (!dead) setSvg(qr.createSvgTag({ cellSize: 4, margin: 4, scalable: true }))
    })
    return () => {
      dead = true
    }
  }, [text])
  if (!svg) return <Spinner label="Drawing the QR code…" />
  return <div data-testid="totp-qr" className="qr" dangerouslySetInnerHTML={{ __html: svg }} />
}

export default function SecurityPage() {
  const me = useAuth()
  const toast = useToast()
  const { query } = useLocation()
  const enabled = !!(pb.authStore.record as { totp_enabled?: boolean } | null)?.totp_enabled
  const [setup, setSetup] = useState<Setup | null>(null)
  const [code, setCode] = useState('')
  const [busy, setBusy] = useState('')
  const [error, setError] = useState('')
  const start = async () => {
    setBusy('setup')
    setError('')
    try {
      setSetup(await api<Setup>('/api/aegis/me/totp/setup', { method: 'POST' }))
    } catch (err) {
      setError(errorMessage(err))
    } finally {
      setBusy('')
    }
  }
  const finish = async (e: FormEvent, what: 'confirm' | 'disable') => {
    e.preventDefault()
    setBusy(what)
    setError('')
    try {
      await api(`/api/aegis/me/totp/${what}`, { body: { code } })
      setSetup(null)
      setCode('')
      await pb.collection('users').authRefresh().catch(() => {})
      toast.push({ title: what === 'confirm' ? 'Authenticator enrolled' : 'Authenticator removed', tone: 'success' })
    } catch (err) {
      setError(errorMessage(err))
    } finally {
      setBusy('')
    }
  }
  const signOutAll = async () => {
    if (!me || !confirm('Sign out of every browser and device, including this one?')) return
    setBusy('signout')
    try {
      await api(`/api/aegis/users/${me.id}/sign-out`, { method: 'POST' })
      logout()
    } catch (err) {
      setError(errorMessage(err))
      setBusy('')
    }
  }
  return (
    <div className="stack">
      <PageHead title="Security" subtitle={`Your sign-in security${me?.email ? ` as ${me.email}` : ''}.`} />
      {query.get('required') === '1' && !enabled && (
        <Alert tone="warning">Your role must use an authenticator app. Enrol one below to continue working in Aegis.</Alert>
      )}
      {error && <Alert>{error}</Alert>}
      <Card title="Authenticator app" actions={enabled ? <Badge tone="success">Enabled</Badge> : <Badge tone="outline">Not enrolled</Badge>}>
        {enabled ? (
          <form className="stack mw-360" onSubmit={(e) => finish(e, 'disable')}>
            <p className="muted m0">Password sign-ins ask for a 6-digit code from your authenticator app. To remove it, enter a current code.</p>
            <TextInput label="Current code" inputMode="numeric" autoComplete="one-time-code" value={code} onChange={(e) => setCode(cleanCode(e.target.value))} />
            <div>
              <Button type="submit" variant="danger" busy={busy === 'disable'} disabled={code.length !== 6}>Remove authenticator</Button>
            </div>
          </form>
        ) : setup ? (
          <form className="stack" onSubmit={(e) => finish(e, 'confirm')}>
            <p className="muted m0">Scan the code with your authenticator app (or type the secret), then enter the 6-digit code it shows.</p>
            <div className="row top gap-24">
              <QRCode text={setup.uri} />
              <div className="stack mw-340">
                <div className="field">
                  <label>Secret</label>
                  <code data-testid="totp-secret" data-secret={setup.secret} className="secret">{groupSecret(setup.secret)}</code>
                </div>
                <TextInput label="Code from the app" name="totp-code" inputMode="numeric" autoComplete="one-time-code" value={code} onChange={(e) => setCode(cleanCode(e.target.value))} />
                <div className="row">
                  <Button type="submit" variant="primary" busy={busy === 'confirm'} disabled={code.length !== 6}>Confirm and enable</Button>
                  <Button onClick={() => setSetup(null)}>Cancel</Button>
                </div>
              </div>
            </div>
          </form>
        ) : (
          <div className="stack">
            <p className="muted m0">Add a second factor: after your password, sign-in asks for a code from an authenticator app (Google Authenticator, 1Password, Bitwarden…).</p>
            <div>
              <Button variant="primary" busy={busy === 'setup'} onClick={start}>Set up an authenticator</Button>
            </div>
          </div>
        )}
      </Card>
      <Card title="Sessions">
        <div className="stack">
          <p className="muted m0">Signing out everywhere ends every session of your account, on all browsers and API clients, including this one.</p>
          <div>
            <Button variant="danger" busy={busy === 'signout'} onClick={signOutAll}>Sign out everywhere</Button>
          </div>
        </div>
      </Card>
    </div>
  )
}
