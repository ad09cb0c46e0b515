// Browser journeys of content that holds together: ATT&CK 18.1 (the real
// bundle from the shared data folder) brings its campaigns; a red lead opens
// one next to the threat actors, shows it on the matrix as a layer and plans
// an emulation campaign from it. Then a compliance control ranks among the
// gaps with why, and its "what would raise it" leads to one of those tests;
// the actor page says what coverage against APT29 is and what raises it.
import { existsSync, mkdtempSync, writeFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startServer, superuserClient, launch, newPage, shot, runSteps, expect, ROOT, Skip, finish, signInPage } from '../harness.mjs'

const ADMIN = { name: 'Ada Admin', email: 'ada@example.com', password: 'correct-horse-42' }
const RED = { name: 'Rae Red', email: 'rae@example.com', password: 'red-lead-secret-9', role: 'red_lead' }
const BUNDLE = join(process.env.AEGIS_SHARED_DATA || join(ROOT, '..', '..', 'shared', 'data'), 'attack', 'enterprise-attack-18.1.json.gz')
const BUNDLE_ALT = join(ROOT, '..', 'shared', 'data', 'attack', 'enterprise-attack-18.1.json.gz')
const bundle = existsSync(BUNDLE) ? BUNDLE : existsSync(BUNDLE_ALT) ? BUNDLE_ALT : ''
const DETTECT = bundle ? join(bundle, '..', '..', 'dettect', 'techniques-administration-endpoints.yaml') : ''

const server = await startServer()
const browser = await launch()
let results
try {
  const su = await superuserClient(server.base, server.su)
  const admin = await newPage(browser, server.base)
  const red = await newPage(browser, server.base)
  const signIn = signInPage
  let campaignId = ''
  const upload = async (page, kind, file) => {
    await page.goto('/integrations?action=upload')
    await page.getByLabel('What is it?').selectOption(kind)
    await page.getByLabel('File').setInputFiles(file)
    await page.getByRole('button', { name: 'Upload and import' }).click()
    await page.locator('[data-testid=run-progress][data-status=succeeded], [data-testid=run-progress][data-status=failed]').waitFor({ timeout: 60_000 })
    expect((await page.getByTestId('run-progress').getAttribute('data-status')) === 'succeeded', `${kind} import failed: ${await page.getByTestId('run-progress').innerText()}`)
  }

  results = await runSteps([
    [
      'setup: an admin uploads ATT&CK Enterprise 18.1, a red lead signs in',
      async () => {
        if (!bundle) throw new Skip('shared data folder with enterprise-attack-18.1.json.gz not present')
        const r = await fetch(`${server.base}/api/aegis/setup`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ ...ADMIN, passwordConfirm: ADMIN.password }) })
        expect(r.ok, `setup answered ${r.status}`)
        await su('POST', '/api/collections/users/records', { ...RED, passwordConfirm: RED.password, active: true })
        await signIn(admin, ADMIN)
        // DeTT&CT scores first: they wait for the catalogue and link when ATT&CK arrives.
        if (existsSync(DETTECT)) await upload(admin, 'dettect', DETTECT)
        await admin.goto('/integrations?action=upload')
        await admin.getByLabel('What is it?').selectOption('attack')
        await admin.getByLabel('File').setInputFiles(bundle)
        await admin.getByRole('button', { name: 'Upload and import' }).click()
        await admin.locator('[data-testid=run-progress][data-status=succeeded], [data-testid=run-progress][data-status=failed]').waitFor({ timeout: 120_000 })
        expect((await admin.getByTestId('run-progress').getAttribute('data-status')) === 'succeeded', 'ATT&CK import failed')
        if (existsSync(DETTECT)) {
          await admin.goto('/attack/releases')
          await admin.getByText('References this import resolved').waitFor({ timeout: 30_000 })
          await shot(admin, '59-release-resolved-references')
        }
        const camps = await su('GET', '/api/collections/attack_campaigns/records?perPage=1')
        expect(camps.totalItems === 52, `ATT&CK campaigns stored: ${camps.totalItems}`)
        await signIn(red, RED)
      },
    ],
    [
      'red lead finds an ATT&CK campaign next to the threat actors and opens it',
      async () => {
        if (!bundle) throw new Skip('no ATT&CK bundle')
        await red.getByRole('link', { name: 'ATT&CK campaigns' }).click()
        await red.getByRole('heading', { name: 'ATT&CK campaigns' }).waitFor()
        await red.getByLabel('Search').fill('SolarWinds')
        await red.getByRole('row', { name: /C0024/ }).waitFor()
        await shot(red, '60-attack-campaigns')
        await red.getByRole('row', { name: /C0024/ }).click()
        await red.waitForURL('**/attack-campaigns/*')
        await red.getByRole('link', { name: /APT29/ }).first().waitFor()
        await red.getByRole('button', { name: 'Plan an emulation' }).waitFor()
        await shot(red, '61-attack-campaign')
      },
    ],
    [
      'the campaign is a layer on the matrix, like an actor',
      async () => {
        if (!bundle) throw new Skip('no ATT&CK bundle')
        await red.getByRole('link', { name: 'Show on the matrix' }).click()
        await red.waitForURL('**/matrix?attack_campaign=*')
        const layer = red.getByTestId('campaign-layer')
        await layer.waitFor({ timeout: 30_000 })
        expect(/C0024 SolarWinds Compromise used \d+ techniques/.test(await layer.innerText()), `layer: ${await layer.innerText()}`)
        await shot(red, '62-matrix-attack-campaign')
        await red.goBack()
      },
    ],
    [
      'red lead plans an emulation campaign from the ATT&CK campaign',
      async () => {
        if (!bundle) throw new Skip('no ATT&CK bundle')
        await red.getByRole('button', { name: 'Plan an emulation' }).click()
        await red.waitForURL(/\/campaigns\/[a-z0-9]+$/)
        campaignId = red.url().split('/').pop()
        await red.getByRole('heading', { name: 'SolarWinds Compromise emulation' }).waitFor()
        const camp = await su('GET', `/api/collections/campaigns/records/${campaignId}?expand=attack_campaign,threat_actor`)
        expect(camp.expand?.attack_campaign?.attack_id === 'C0024', `plan points at ${camp.attack_campaign}`)
        expect(camp.expand?.threat_actor?.attack_id === 'G0016', 'attributed group carried over')
        const tests = await su('GET', `/api/collections/tests/records?perPage=1&filter=${encodeURIComponent(`campaign='${campaignId}'`)}`)
        expect(tests.totalItems > 20, `draft tests: ${tests.totalItems}`)
        await red.getByRole('link', { name: /T1/ }).first().waitFor()
        await shot(red, '63-campaign-from-attack-campaign')
      },
    ],
    [
      'a compliance control ranks among the gaps, and "what would raise it" leads to a test',
      async () => {
        if (!bundle) throw new Skip('no ATT&CK bundle')
        const tests = await su('GET', `/api/collections/tests/records?perPage=1&sort=name&expand=technique&filter=${encodeURIComponent(`campaign='${campaignId}'`)}`)
        const tech = tests.items[0].expand.technique.attack_id
        const dir = mkdtempSync(join(tmpdir(), 'aegis-compliance-'))
        const csv = join(dir, 'controls.csv')
        writeFileSync(csv, `framework,control_id,title,family,technique,mapping_type\nAegis demo controls,AC-2,Account Management,AC,${tech},mitigates\nAegis demo controls,AC-3,Access Enforcement,AC,T1059.001,mitigates\n`)
        try {
          await admin.goto('/integrations?action=upload')
          await admin.getByLabel('What is it?').selectOption('compliance')
          await admin.getByLabel('File').setInputFiles(csv)
          await admin.getByRole('button', { name: 'Upload and import' }).click()
          await admin.locator('[data-testid=run-progress][data-status=succeeded], [data-testid=run-progress][data-status=failed]').waitFor({ timeout: 60_000 })
          expect((await admin.getByTestId('run-progress').getAttribute('data-status')) === 'succeeded', 'compliance import failed')
        } catch (err) {
  console.log(`FAIL  set-up: ${err?.stack || err}`)
} finally {
          rmSync(dir, { recursive: true, force: true })
        }
        await red.goto('/compliance/gaps')
        await red.getByRole('row', { name: /AC-2/ }).waitFor({ timeout: 30_000 })
        await red.getByRole('row', { name: /AC-2/ }).click()
        const detail = red.getByTestId('gap-detail')
        await detail.waitFor()
        expect((await detail.getByTestId('gap-why').innerText()).includes(tech), `why lists ${tech}`)
        expect((await detail.innerText()).includes('never validated'), 'reason given')
        await shot(red, '64-compliance-gap-raise')
        const link = detail.locator('[data-testid=raise-actions] a[data-kind=run_test]').first()
        await link.click()
        await red.waitForURL(/\/tests\/[a-z0-9]+$/)
        const testId = red.url().split('/').pop()
        const test = await su('GET', `/api/collections/tests/records/${testId}?expand=technique`)
        expect(test.campaign === campaignId && test.expand.technique.attack_id === tech, `landed on test of ${test.expand?.technique?.attack_id}`)
        await shot(red, '65-raise-leads-to-test')
      },
    ],
    [
      'the actor page says the coverage against APT29 and what would raise it most',
      async () => {
        if (!bundle) throw new Skip('no ATT&CK bundle')
        await red.goto('/actors/G0016')
        const card = red.getByTestId('actor-raise')
        await card.waitFor({ timeout: 30_000 })
        expect(/that would raise it most/.test(await card.innerText()), `raise card: ${await card.innerText()}`)
        expect((await red.getByText(/Coverage against APT29: \d+ %/).count()) === 1, 'coverage figure shown')
        await shot(red, '66-actor-raise')
      },
    ],
    [
      'DeTT&CT scores uploaded before ATT&CK: the technique explains them as their own input',
      async () => {
        if (!bundle || !existsSync(DETTECT)) throw new Skip('no DeTT&CT sample')
        await admin.goto('/techniques/T1001.001')
        const score = admin.getByTestId('score')
        await score.waitFor({ timeout: 30_000 })
        expect((await score.innerText()).includes('DeTT&CT (D)'), `score card: ${await score.innerText()}`)
        expect((await score.innerText()).includes('DeTT&CT visibility'), 'breakdown names the DeTT&CT input')
        await shot(admin, '67-technique-dettect')
      },
    ],
    [
      'rules naming techniques the catalogue does not have are listed',
      async () => {
        if (!bundle) throw new Skip('no ATT&CK bundle')
        const dir = mkdtempSync(join(tmpdir(), 'aegis-sigma-'))
        try {
          const rule = ['title: Rule tagging a newer technique', 'id: 8e3fb13d-4c61-4a9e-9d84-4f5a6b7c8d91', 'status: test', 'logsource:', '    product: windows',
            'detection:', '    selection:', "        Image|endswith: '\\cmd.exe'", '    condition: selection', 'level: medium', 'tags:', '    - attack.t1685', '    - attack.t1059.003', ''].join('\n')
          writeFileSync(join(dir, 'newer.yml'), rule)
          await upload(admin, 'sigma', join(dir, 'newer.yml'))
        } finally {
          rmSync(dir, { recursive: true, force: true })
        }
        await admin.goto('/rules')
        const card = admin.getByTestId('unknown-techniques')
        await card.waitFor({ timeout: 30_000 })
        expect((await card.innerText()).includes('T1685'), `card: ${await card.innerText()}`)
        await shot(admin, '68-rules-unknown-techniques')
        expect(red.errors.length === 0 && admin.errors.length === 0, `page errors: ${[...red.errors, ...admin.errors].join('; ')}`)
      },
    ],
  ])
} finally {
}
await finish(results, browser, server)
