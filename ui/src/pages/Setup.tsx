import { useEffect, useState, type FormEvent } from 'react'
import type { RecordModel } from 'pocketbase'
import { api, errorMessage, pb } from '../lib/pb'
import { Link, navigate } from '../lib/router'
import { useSubmit } from '../lib/submit'
import { Alert, Button, Icon, Spinner, TextInput } from '../ds'
import { Logo } from './Logo'

// First run: create the first administrator, then point at the two ways to
// load ATT&CK (sync from MITRE, or upload a bundle for air-gapped sites).

export function SetupPage() {
  const [needed, setNeeded] = useState<boolean | null>(null)
  const [minLength, setMinLength] = useState(8)
  const [loadError, setLoadError] = useState('')
  const [done, setDone] = useState(false)
  const [form, setForm] = useState({ name: '', email: '', password: '', passwordConfirm: '' })
  const { busy, error, run } = useSubmit()

  const [attempt, setAttempt] = useState(0)
  useEffect(() => {
    setLoadError('')
    api<{ needed: boolean; minPasswordLength?: number }>('/api/aegis/setup')
      .then((r) => {
        setNeeded(!!r.needed)
        if (r.minPasswordLength) setMinLength(r.minPasswordLength)
      })
      .catch((err) => setLoadError(errorMessage(err)))
  }, [attempt])

  const set = (k: keyof typeof form) => (e: { target: { value: string } }) => setForm((f) => ({ ...f, [k]: e.target.value }))
  const mismatch = form.passwordConfirm !== '' && form.password !== form.passwordConfirm

  const submit = (e: FormEvent) => {
    e.preventDefault()
    if (mismatch) return
    void run(async () => {
      const r = await api<{ token: string; record: RecordModel }>('/api/aegis/setup', { body: { ...form, email: form.email.trim() } })
      pb.authStore.save(r.token, r.record)
      setDone(true)
    })
  }

  let body
  if (loadError)
    body = (
      <div className="stack" data-testid="setup-error">
        <Alert>Could not check the setup state: {loadError}</Alert>
        <p className="muted small m0">
          {/too many/i.test(loadError) ? 'The server is limiting requests from this address; wait a few seconds and try again.' : 'Check that the Aegis server is running and reachable, then try again.'} If
          the administrator already exists, sign in instead.
        </p>
        <div className="row">
          <Button variant="primary" onClick={() => setAttempt((n) => n + 1)}>
            <Icon name="refresh" /> Try again
          </Button>
          <Button onClick={() => navigate('/login')}>Go to sign in</Button>
        </div>
      </div>
    )
  else if (needed === null) body = <Spinner />
  else if (done)
    body = (
      <div className="stack" data-testid="setup-done">
        <Alert tone="success">Your administrator account is ready and you are signed in.</Alert>
        <div>
          <h2>Load the ATT&amp;CK knowledge base</h2>
          <p className="muted">Aegis measures coverage against MITRE ATT&amp;CK. Choose how to load it; you can do this later from Integrations &amp; jobs.</p>
        </div>
        <div className="grid-2 halves">
          <Link to="/integrations?action=sync" className="card inherit-color">
            <div className="card-body">
              <h3>Sync ATT&amp;CK from MITRE</h3>
              <p className="muted small mb0">
                Enable the MITRE source and run the sync now. Needs internet access.
              </p>
            </div>
          </Link>
          <Link to="/integrations?action=upload" className="card inherit-color">
            <div className="card-body">
              <h3>Upload a bundle</h3>
              <p className="muted small mb0">
                For air-gapped sites: upload a STIX bundle or an archive of bundles.
              </p>
            </div>
          </Link>
        </div>
        <Button onClick={() => navigate('/')}>Skip for now</Button>
      </div>
    )
  else if (!needed)
    body = (
      <div className="stack">
        <Alert tone="info">Aegis is already set up. Sign in with your account.</Alert>
        <Button variant="primary" onClick={() => navigate('/login')}>
          Go to sign in
        </Button>
      </div>
    )
  else
    body = (
      <form className="stack" onSubmit={submit} aria-label="Create the first administrator">
        <div>
          <h2>Welcome to Aegis</h2>
          <p className="muted mb0">
            No account exists yet. Create the first administrator; they can then invite the red and blue teams.
          </p>
        </div>
        {error && (
          <Alert>
            {error}
            {/already complete|already set up/i.test(error) && (
              <>
                {' '}
                <Link to="/login">Sign in</Link> instead.
              </>
            )}
          </Alert>
        )}
        <TextInput label="Name" name="name" required value={form.name} onChange={set('name')} autoComplete="name" />
        <TextInput label="Email" name="email" type="email" required value={form.email} onChange={set('email')} autoComplete="username" />
        <TextInput label="Password" name="password" type="password" required minLength={minLength} hint={`At least ${minLength} characters.`} value={form.password} onChange={set('password')} autoComplete="new-password" />
        <TextInput
          label="Confirm password"
          name="passwordConfirm"
          type="password"
          required
          value={form.passwordConfirm}
          onChange={set('passwordConfirm')}
          error={mismatch ? 'The passwords do not match.' : undefined}
          autoComplete="new-password"
        />
        <Button type="submit" variant="primary" block busy={busy} disabled={mismatch}>
          Create administrator
        </Button>
      </form>
    )

  return (
    <div className="auth">
      <div className="card wide">
        <div className="card-body stack">
          <div className="brand">
            <Logo />
            Aegis · first run
          </div>
          {body}
        </div>
      </div>
    </div>
  )
}
