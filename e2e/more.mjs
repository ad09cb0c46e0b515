// Browser tests of the defence, reporting and administration pages against a
// real bin/aegis server: a blue lead uploads a Sigma archive, filters rules by
// technique and enables one; an admin enrols an authenticator and signs in
// with it; the reports page and executive report render; an admin creates a
// backup and restores it while the server restarts.
import { join } from 'node:path'
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { execFileSync } from 'node:child_process'
import { createHmac } from 'node:crypto'
import { startServer, superuserClient, launch, newPage, shot, runSteps, expect, finish, signInPage } from './harness.mjs'

const ADMIN = { name: 'Ada Admin', email: 'ada@example.com', password: 'correct-horse-42' }
const BLUE = { name: 'Bo Blue', email: 'bo@example.com', password: 'blue-lead-secret-9', role: 'blue_lead' }
const FIXTURE = join(new URL('.', import.meta.url).pathname, 'fixtures', 'attack-mini.json')

/** base32Decode reads an RFC 4648 base32 secret. */
function base32Decode(s) {
  const alpha = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'
  let bits = 0
  let value = 0
  const out = []
  for (const c of s.replace(/[\s=]/g, '').toUpperCase()) {
    const i = alpha.indexOf(c)
    if (i < 0) throw new Error(`bad base32 character ${c}`)
    value = (value << 5) | i
    bits += 5
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff)
      bits -= 8
    }
  }
  return Buffer.from(out)
}

/** totp computes the RFC 6238 code (HMAC-SHA1, 30 s, 6 digits) for a time. */
function totp(secret, now = Date.now()) {
  const counter = Math.floor(now / 1000 / 30)
  const msg = Buffer.alloc(8)
  msg.writeBigUInt64BE(BigInt(counter))
  const h = createHmac('sha1', base32Decode(secret)).update(msg).digest()
  const off = h[h.length - 1] & 0x0f
  const n = ((h[off] & 0x7f) << 24) | (h[off + 1] << 16) | (h[off + 2] << 8) | h[off + 3]
  return String(n % 1_000_000).padStart(6, '0')
}

/** sigmaArchive writes a tar.gz of a few synthetic Sigma rules and returns its path. */
function sigmaArchive() {
  const dir = mkdtempSync(join(tmpdir(), 'aegis-sigma-'))
  const rules = join(dir, 'rules', 'windows')
  mkdirSync(rules, { recursive: true })
  const rule = (id, title, tags, level) =>
    [
      `title: ${title}`,
      `id: ${id}`,
      'status: test',
      `description: Synthetic rule for the browser tests (${title}).`,
      'author: Aegis tests',
      'logsource:',
      '    product: windows',
      '    category: process_creation',
      'detection:',
      '    selection:',
      "        Image|endswith: '\\powershell.exe'",
      "        CommandLine|contains: '-enc'",
      '    condition: selection',
      `level: ${level}`,
      'tags:',
      ...tags.map((t) => `    - ${t}`),
      '',
    ].join('\n')
  writeFileSync(join(rules, 'encoded_powershell.yml'), rule('5b0c8e0a-1f3e-4d6b-9a51-1c2d3e4f5a60', 'Encoded PowerShell command line', ['attack.execution', 'attack.t1059.001'], 'high'))
  writeFileSync(join(rules, 'cmd_shell.yml'), rule('6c1d9f1b-2a4f-4e7c-8b62-2d3e4f5a6b71', 'Windows command shell spawned by Office', ['attack.execution', 'attack.t1059.003'], 'medium'))
  writeFileSync(join(rules, 'lsass_dump.yml'), rule('7d2ea02c-3b50-4f8d-9c73-3e4f5a6b7c82', 'LSASS memory access', ['attack.credential_access', 'attack.t1003.001', 'attack.t9999'], 'critical'))
  const tgz = join(dir, 'sigma-rules.tar.gz')
  execFileSync('tar', ['-czf', tgz, '-C', dir, 'rules'])
  return { tgz, cleanup: () => rmSync(dir, { recursive: true, force: true }) }
}

const server = await startServer()
const browser = await launch()
let results
const archive = sigmaArchive()
try {
  const su = await superuserClient(server.base, server.su)
  const admin = await newPage(browser, server.base)
  const blue = await newPage(browser, server.base)
  let totpSecret = ''

  const signIn = signInPage
  const signOut = async (page) => {
    await page.getByTestId('user-menu').click()
    await page.getByRole('menuitem', { name: 'Sign out' }).click()
    await page.getByRole('button', { name: 'Sign in' }).waitFor()
  }

  results = await runSteps([
    [
      'setup: first admin, a blue lead, and ATT&CK uploaded through the admin upload',
      async () => {
        const r = await fetch(`${server.base}/api/aegis/setup`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ ...ADMIN, passwordConfirm: ADMIN.password }) })
        expect(r.ok, `setup answered ${r.status}`)
        await su('POST', '/api/collections/users/records', { ...BLUE, passwordConfirm: BLUE.password, active: true })
        await signIn(admin, ADMIN)
        await admin.goto('/integrations?action=upload')
        await admin.getByLabel('What is it?').selectOption('attack')
        await admin.getByLabel('File').setInputFiles(FIXTURE)
        await admin.getByRole('button', { name: 'Upload and import' }).click()
        await admin.locator('[data-testid=run-progress][data-status=succeeded], [data-testid=run-progress][data-status=failed]').waitFor({ timeout: 60_000 })
        expect((await admin.getByTestId('run-progress').getAttribute('data-status')) === 'succeeded', 'ATT&CK import failed')
      },
    ],
    [
      'blue lead uploads a Sigma archive and follows the import live',
      async () => {
        await signIn(blue, BLUE)
        await blue.goto('/rules')
        await blue.getByText('No detection rules yet').waitFor()
        await blue.getByRole('button', { name: 'Upload rules' }).click()
        await blue.getByLabel('Format').selectOption('sigma')
        await blue.getByLabel('File or archive').setInputFiles(archive.tgz)
        await blue.getByRole('button', { name: 'Upload and import' }).click()
        const progress = blue.getByTestId('run-progress')
        await progress.waitFor()
        await blue.locator('[data-testid=run-progress][data-status=succeeded], [data-testid=run-progress][data-status=failed]').waitFor({ timeout: 60_000 })
        expect((await progress.getAttribute('data-status')) === 'succeeded', `sigma import: ${await progress.innerText()}`)
        await shot(blue, '40-rules-upload')
        await blue.getByRole('button', { name: 'Done' }).click()
        await blue.getByRole('row', { name: /Encoded PowerShell command line/ }).waitFor()
        expect((await blue.locator('tbody tr').count()) === 3, 'three rules listed')
      },
    ],
    [
      'blue lead filters rules by technique and enables one',
      async () => {
        await blue.getByLabel('Technique').fill('T1059.001')
        await blue.waitForFunction(() => document.querySelectorAll('tbody tr').length === 1)
        await blue.getByRole('row', { name: /Encoded PowerShell/ }).click()
        await blue.waitForURL('**/rules/*')
        await blue.getByTestId('rule-content').waitFor()
        expect((await blue.getByTestId('rule-content').getAttribute('data-lang')) === 'yaml', 'sigma content highlighted as YAML')
        expect((await blue.getByTestId('rule-techniques').innerText()).includes('T1059.001'), 'mapped technique shown')
        await blue.getByRole('button', { name: 'Enable rule' }).click()
        await blue.getByRole('button', { name: 'Disable rule' }).waitFor()
        await shot(blue, '41-rule-detail')
        const rules = await su('GET', `/api/collections/detection_rules/records?filter=${encodeURIComponent('enabled=true')}`)
        expect(rules.items.length === 1 && rules.items[0].title === 'Encoded PowerShell command line', `enabled rules: ${JSON.stringify(rules.items.map((x) => x.title))}`)
        const lsass = await su('GET', `/api/collections/detection_rules/records?filter=${encodeURIComponent("title~'LSASS'")}`)
        await blue.goto(`/rules/${lsass.items[0].id}`)
        await blue.getByText(/match no known technique: T9999/i).waitFor()
      },
    ],
    [
      'the reports page takes a snapshot, draws the trend, and the executive report opens',
      async () => {
        await admin.goto('/reports')
        await admin.getByRole('heading', { name: 'Trends & reports' }).waitFor()
        await admin.getByRole('button', { name: 'Take snapshot' }).click()
        await admin.getByTestId('trend-chart').waitFor()
        await admin.getByLabel('Snapshot label').fill('after rules')
        await admin.getByRole('button', { name: 'Take snapshot' }).click()
        await admin.getByTestId('comparison').waitFor()
        await shot(admin, '42-trends-reports')
        const [popup] = await Promise.all([admin.context().waitForEvent('page'), admin.getByRole('button', { name: 'Executive report' }).click()])
        await popup.waitForURL(/^blob:/, { timeout: 15_000 })
        await popup.waitForLoadState()
        const text = await popup.locator('body').innerText()
        expect(/coverage/i.test(text), `executive report text: ${text.slice(0, 200)}`)
        await popup.setViewportSize({ width: 1200, height: 900 })
        await shot(popup, '43-executive-report')
        await popup.close()
      },
    ],
    [
      'admin enrols an authenticator and signs in with a code',
      async () => {
        await admin.goto('/me/security')
        await admin.getByRole('button', { name: 'Set up an authenticator' }).click()
        await admin.getByTestId('totp-qr').waitFor()
        totpSecret = await admin.getByTestId('totp-secret').getAttribute('data-secret')
        expect(totpSecret && totpSecret.length >= 16, 'secret shown')
        await shot(admin, '44-authenticator-enrol')
        await admin.getByLabel('Code from the app').fill(totp(totpSecret))
        await admin.getByRole('button', { name: 'Confirm and enable' }).click()
        await admin.getByText('Enabled', { exact: true }).waitFor()
        await signOut(admin)
        await admin.getByLabel('Email').fill(ADMIN.email)
        await admin.getByLabel('Password').fill(ADMIN.password)
        await admin.getByRole('button', { name: 'Sign in' }).click()
        await admin.getByLabel('Authenticator code').waitFor()
        await admin.getByLabel('Authenticator code').fill('000000' === totp(totpSecret) ? '111111' : '000000')
        await admin.getByRole('button', { name: 'Verify' }).click()
        await admin.getByText(/wrong or expired/).waitFor()
        await shot(admin, '45-sign-in-code')
        await admin.getByLabel('Authenticator code').fill(totp(totpSecret))
        await admin.getByRole('button', { name: 'Verify' }).click()
        await admin.locator('.sidebar').waitFor()
      },
    ],
    [
      'admin creates a backup and restores it; the page reconnects after the restart',
      async () => {
        await admin.goto('/settings?tab=backups')
        await admin.getByLabel('Backup name').fill('e2e-before.zip')
        await admin.getByRole('button', { name: 'Create backup' }).click()
        await admin.getByRole('row', { name: /e2e-before\.zip/ }).waitFor({ timeout: 60_000 })
        // A change after the backup that the restore must undo.
        const tool = await su('POST', '/api/collections/defense_tools/records', { name: 'Made after the backup', kind: 'edr', active: true })
        const row = admin.getByRole('row', { name: /e2e-before\.zip/ })
        await row.getByRole('button', { name: 'Verify' }).click()
        await admin.getByText('Backup is intact').waitFor({ timeout: 60_000 })
        await admin.keyboard.press('Escape')
        await row.getByRole('button', { name: 'Restore…' }).click()
        await admin.getByLabel('Type "RESTORE" to confirm').fill('RESTORE')
        await admin.getByRole('button', { name: 'Restore and restart' }).click()
        await admin.getByTestId('restoring').waitFor()
        await shot(admin, '46-restoring')
        await admin.getByRole('heading', { name: 'Settings' }).waitFor({ timeout: 120_000 })
        await admin.getByRole('row', { name: /e2e-before\.zip/ }).waitFor({ timeout: 30_000 })
        const health = await fetch(`${server.base}/api/health`)
        expect(health.ok, `health after restore: ${health.status}`)
        const su2 = await superuserClient(server.base, server.su)
        const left = await su2('GET', `/api/collections/defense_tools/records?filter=${encodeURIComponent(`id='${tool.id}'`)}`)
        expect(left.items.length === 0, 'the tool created after the backup is gone')
      },
    ],
    [
      'settings and defence pages render for the admin',
      async () => {
        for (const [path, heading] of [
          ['/settings', 'Settings'],
          ['/settings?tab=security', 'Settings'],
          ['/library', 'Test library'],
          ['/findings', 'Findings'],
          ['/tools', 'Defense tools'],
          ['/d3fend', 'D3FEND'],
          ['/compliance', 'Compliance'],
          ['/compliance/gaps', 'Compliance gaps'],
          ['/intel', 'Threat intel'],
        ]) {
          await admin.goto(path)
          await admin.getByRole('heading', { name: heading, exact: true }).waitFor()
          await admin.getByText('Loading…').first().waitFor({ state: 'detached', timeout: 5_000 }).catch(() => {})
          if ((await admin.getByRole('alert').count()) > 0) throw new Error(`${path} shows an error: ${await admin.getByRole('alert').first().innerText()}`)
        }
        await admin.goto('/settings?tab=security')
        await admin.getByText('Single sign-on (OpenID Connect)').waitFor()
        await shot(admin, '47-settings-security')
        expect(admin.errors.length === 0 && blue.errors.length === 0, `page errors: ${[...admin.errors, ...blue.errors].join('; ')}`)
      },
    ],
  ])
  if (results.failed) console.log('server log (tail):\n' + server.log().split('\n').slice(-30).join('\n'))
} catch (err) {
  console.log(`FAIL  set-up: ${err?.stack || err}`)
} finally {
  archive.cleanup()
}
await finish(results, browser, server)
