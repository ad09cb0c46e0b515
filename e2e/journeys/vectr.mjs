// Coming from VECTR, in the browser: an admin uploads VECTR's published
// Iranian TTP assessment bundle on the integrations page, and the red lead
// finds its seven campaigns with their 162 tests on the campaigns page. Then
// a red lead's imported outcome waits on the test page ("imported by …")
// until the blue lead confirms it. The bundle is read from the shared data
// folder beside the repository (../shared/data, or AEGIS_SHARED_DATA); the
// journey skips when it is absent.
import { join } from 'node:path'
import { existsSync, readFileSync } from 'node:fs'
import { ROOT, startServer, superuserClient, launch, newPage, shot, runSteps, expect, Skip, finish, signInPage } from '../harness.mjs'

const ADMIN = { name: 'Ada Admin', email: 'ada@example.com', password: 'correct-horse-42' }
const RED = { name: 'Rex Red', email: 'rex@example.com', password: 'red-lead-secret-9', role: 'red_lead' }
const BLUE = { name: 'Bo Blue', email: 'bo@example.com', password: 'blue-lead-secret-9', role: 'blue_lead' }
const SHARED = process.env.AEGIS_SHARED_DATA || join(ROOT, '..', 'shared', 'data')
const BUNDLE = join(SHARED, 'vectr', 'Iranian_TTP_Bundle_010920.json.gz')
const ATTACK = join(SHARED, 'attack', 'enterprise-attack-18.1.json.gz')
const CAMPAIGNS = { 'OilRig (APT34)': 44, APT33: 21, APT39: 18, CopyKittens: 6, MuddyWater: 31, 'Magic Hound': 27, 'Collection of Iranian TTPs from US-CERT AA20-006A': 15 }

// A red lead's own small assessment, with one recorded outcome.
const OWN = JSON.stringify({
  type: 'bundle',
  id: 'e2e-own',
  spec_version: '2.0',
  objects: [
    { type: 'x-vectr-io-campaign', id: 'x-vectr-io-campaign--e2e', vectrId: 'e2e-campaign', name: 'Q3 purple exercise', testCaseIds: ['e2e-t1'] },
    {
      type: 'x-vectr-io-testcase',
      id: 'x-vectr-io-testcase--e2e-t1',
      vectrId: 'e2e-t1',
      redTeam: { status: 'Completed', variant: 'LSASS dump with procdump', objective: 'Dump **LSASS** memory.', mitreId: 'T1003.001' },
      blueTeam: { outcomes: ['Blocked'], alertTriggered: 'Yes', alertSeverity: 'High', outcomeNotes: 'EDR blocked and alerted.' },
    },
  ],
})

const server = await startServer()
const browser = await launch()
let results
try {
  const su = await superuserClient(server.base, server.su)
  const admin = await newPage(browser, server.base)
  const red = await newPage(browser, server.base)
  const blue = await newPage(browser, server.base)
  let ready = false

  const signIn = signInPage
  const token = async (who) => {
    const r = await fetch(`${server.base}/api/collections/users/auth-with-password`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ identity: who.email, password: who.password }),
    })
    expect(r.ok, `sign-in of ${who.email}: ${r.status}`)
    return (await r.json()).token
  }
  // importFile uploads through the API and waits for the run to end.
  const importFile = async (who, kind, name, body) => {
    const tok = await token(who)
    const form = new FormData()
    form.append('file', new Blob([body]), name)
    const r = await fetch(`${server.base}/api/aegis/import/${kind}`, { method: 'POST', headers: { Authorization: tok }, body: form })
    const text = await r.text()
    expect(r.status === 202, `upload ${kind}: ${r.status} ${text}`)
    const { job_run: run } = JSON.parse(text)
    for (let i = 0; i < 600; i++) {
      const x = await su('GET', `/api/collections/job_runs/records/${run.id}`)
      if (x.status === 'succeeded') return x
      if (x.status === 'failed') throw new Error(`${kind} import failed: ${x.error}`)
      await new Promise((ok) => setTimeout(ok, 200))
    }
    throw new Error(`${kind} import did not finish`)
  }

  results = await runSteps([
    [
      'setup: first admin, a red and a blue lead, ATT&CK v18.1 imported',
      async () => {
        if (!existsSync(BUNDLE) || !existsSync(ATTACK)) throw new Skip(`shared data not found under ${SHARED}`)
        const r = await fetch(`${server.base}/api/aegis/setup`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ ...ADMIN, passwordConfirm: ADMIN.password }) })
        expect(r.ok, `setup answered ${r.status}`)
        for (const u of [RED, BLUE]) await su('POST', '/api/collections/users/records', { ...u, passwordConfirm: u.password, active: true })
        await importFile(ADMIN, 'attack', 'enterprise-attack-18.1.json.gz', readFileSync(ATTACK))
        ready = true
      },
    ],
    [
      'admin uploads the VECTR bundle on the integrations page and watches it import',
      async () => {
        if (!ready) throw new Skip('no setup')
        await signIn(admin, ADMIN)
        await admin.goto('/integrations?action=upload')
        await admin.getByLabel('What is it?').selectOption('vectr-bundle')
        await admin.getByLabel('File').setInputFiles(BUNDLE)
        await admin.getByRole('button', { name: 'Upload and import' }).click()
        const progress = admin.getByTestId('run-progress')
        await progress.waitFor()
        await admin.locator('[data-testid=run-progress][data-status=succeeded], [data-testid=run-progress][data-status=failed]').waitFor({ timeout: 60_000 })
        expect((await progress.getAttribute('data-status')) === 'succeeded', `vectr-bundle import: ${await progress.innerText()}`)
        await admin.getByRole('row', { name: /import:vectr-bundle/ }).first().waitFor()
        await admin.evaluate(() => window.scrollTo(0, 0))
        await shot(admin, '60-vectr-bundle-upload')
      },
    ],
    [
      'the red lead sees the seven campaigns with their tests',
      async () => {
        if (!ready) throw new Skip('no setup')
        await signIn(red, RED)
        await red.goto('/campaigns')
        for (const [name, n] of Object.entries(CAMPAIGNS)) {
          const row = red.getByRole('row', { name: new RegExp(name.replace(/[()]/g, '\\$&')) })
          await row.waitFor()
          await row.getByTestId('campaign-tests').filter({ hasText: String(n) }).waitFor()
          expect((await row.innerText()).includes('Iranian TTP Bundle'), `${name} keeps its assessment group`)
        }
        expect((await red.locator('tbody tr').count()) === 7, 'seven campaigns listed')
        await shot(red, '61-vectr-campaigns')
        await red.getByRole('row', { name: /OilRig \(APT34\)/ }).click()
        await red.waitForURL('**/campaigns/*')
        await red.getByText('OilRig - Process Discovery').first().waitFor()
        await red.getByText('T1057').first().waitFor()
        await shot(red, '62-vectr-campaign-tests')
        // The campaign goes back to VECTR as a bundle with its 44 test cases.
        const [download] = await Promise.all([red.waitForEvent('download'), red.getByRole('button', { name: 'Export to VECTR' }).click()])
        const bundle = JSON.parse(readFileSync(await download.path(), 'utf8'))
        const types = bundle.objects.map((o) => o.type)
        expect(bundle.type === 'bundle' && types.filter((x) => x === 'x-vectr-io-campaign').length === 1, `exported types ${[...new Set(types)]}`)
        expect(types.filter((x) => x === 'x-vectr-io-testcase').length === 44, 'the 44 OilRig test cases exported')
        const oil = bundle.objects.find((o) => o.type === 'x-vectr-io-campaign')
        expect(oil.vectrId === '419a551a-9613-4d11-98dc-b788396d073c', `the campaign keeps its vectrId: ${oil.vectrId}`)
      },
    ],
    [
      "a red lead's imported outcome waits on the test page until the blue lead confirms it",
      async () => {
        if (!ready) throw new Skip('no setup')
        await importFile(RED, 'vectr-bundle', 'q3.json', OWN)
        const tests = await su('GET', `/api/collections/tests/records?filter=${encodeURIComponent("name='LSASS dump with procdump'")}`)
        expect(tests.items.length === 1, 'imported test found')
        const id = tests.items[0].id
        await signIn(blue, BLUE)
        await blue.goto(`/tests/${id}`)
        const imported = blue.getByTestId('outcome-imported')
        await imported.waitFor()
        expect((await imported.innerText()).includes('imported by Rex Red'), `imported by: ${await imported.innerText()}`)
        await blue.getByText('Not counted yet').waitFor()
        await blue.getByText('until a blue lead or an admin confirms it').waitFor()
        await shot(blue, '63-vectr-imported-outcome')
        await blue.getByRole('button', { name: 'Confirm imported outcome' }).click()
        await imported.getByText(/confirmed by Bo Blue/).waitFor()
        expect((await blue.getByRole('button', { name: 'Confirm imported outcome' }).count()) === 0, 'confirm no longer offered')
        const after = await su('GET', `/api/collections/tests/records/${id}`)
        expect(after.outcome_confirmed_by && after.outcome_imported_by, 'confirmation stored')
        await red.goto(`/tests/${id}`)
        await red.getByTestId('outcome-imported').waitFor()
        expect((await red.getByRole('button', { name: 'Confirm imported outcome' }).count()) === 0, 'a red lead is not offered confirm')
        for (const p of [admin, red, blue]) expect(p.errors.length === 0, `page errors: ${p.errors.join('; ')}`)
      },
    ],
  ])
} catch (err) {
  console.log(`FAIL  journey setup: ${err?.stack || err}`)
  results = { passed: 0, failed: 1, skipped: 0 }
}
await finish(results, browser, server)
