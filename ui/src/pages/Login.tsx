import { useState, type FormEvent } from 'react'
import { pb, errorMessage, errorStatus } from '../lib/pb'
import { Alert, Button, TextInput } from '../ds'
import { Logo } from './Logo'

export function LoginPage() {
  const [email, setEmail] = useState('')
  const [password, setPassword] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState('')

  const submit = async (e: FormEvent) => {
    e.preventDefault()
    setBusy(true)
    setError('')
    try {
      await pb.collection('users').authWithPassword(email.trim(), password)
    } catch (err) {
      const s = errorStatus(err)
      setError(s === 400 ? 'Wrong email or password, or the account is deactivated.' : s === 429 ? 'Too many attempts. Wait a minute and try again.' : errorMessage(err))
    } finally {
      setBusy(false)
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
            <p className="muted" style={{ margin: 0 }}>
              Sign in to validate your ATT&amp;CK coverage.
            </p>
          </div>
          <form className="stack" onSubmit={submit}>
            {error && <Alert>{error}</Alert>}
            <TextInput label="Email" type="email" name="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} />
            <TextInput label="Password" type="password" name="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
            <Button type="submit" variant="primary" block busy={busy}>
              Sign in
            </Button>
          </form>
        </div>
      </div>
    </div>
  )
}
