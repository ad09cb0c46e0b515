// The Technique page at a glance: the score with the reasons that count (the
// latest validated run of each procedure, the smallest shares folded into
// one line), what became of the technique's tests in words, the superseded
// runs a page at a time, the groups using it by name; a blue analyst sees
// the counts without the unrevealed runs of blind campaigns. Uses the real
// Enterprise ATT&CK bundle and the small demo organisation when the shared
// data folder is present.
import { join, resolve } from 'node:path'
import { existsSync } from 'node:fs'
import { execFileSync } from 'node:child_process'
import { BIN, ROOT, Skip, startServer, launch, newPage, shot, runSteps, expect, finish, signInPage } from '../harness.mjs'

const ADMIN = { name: 'Ada Admin', email: 'ada@example.com', password: 'correct-horse-42' }
const DEMO_ADMIN = { email: 'admin1@demo.aegis.local', password: 'aegis-demo-password' }
const BLUE = { email: 'blue.analyst1@demo.aegis.local', password: 'aegis-demo-password' }
const SHARED = [process.env.AEGIS_SHARED_DATA, resolve(ROOT, '..', 'shared', 'data'), resolve(ROOT, '..', '..', 'shared', 'data')].filter(Boolean)
const ATTACK = SHARED.map((d) => join(d, 'attack', 'enterprise-attack-18.1.json.gz')).find((f) => existsSync(f))
const TECH = 'T1059.001'

const server = await startServer()
const browser = await launch()
let results
try {
  let seeded = false
  const needData = () => {
    if (!seeded) throw new Skip('the Enterprise ATT&CK bundle is not available (shared data folder missing)')
  }
  const counts = async (who) => {
    const auth = await fetch(`${server.base}/api/collections/users/auth-with-password`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ identity: who.email, password: who.password }),
    }).then((r) => r.json())
    const r = await fetch(`${server.base}/api/aegis/coverage/techniques/${TECH}`, { headers: { Authorization: auth.token } })
    expect(r.ok, `technique answer ${r.status}`)
    return (await r.json()).tests
  }
  const admin = await newPage(browser, server.base)
  const blue = await newPage(browser, server.base)

  results = await runSteps([
    [
      'the Enterprise ATT&CK bundle and the small demo are loaded',
      async () => {
        if (!ATTACK) throw new Skip('shared data folder not present')
        const r = await fetch(`${server.base}/api/aegis/setup`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ ...ADMIN, passwordConfirm: ADMIN.password }) })
        expect(r.ok, `setup answered ${r.status}`)
        execFileSync(BIN, ['import', 'attack', ATTACK, '--dir', server.dir], { stdio: 'pipe', timeout: 180_000 })
        execFileSync(BIN, ['demo', '--force', '--dir', server.dir], { stdio: 'pipe', timeout: 180_000 })
        seeded = true
      },
    ],
    [
      'an admin reads the score, the tests that count and pages the superseded ones',
      async () => {
        needData()
        await signInPage(admin, DEMO_ADMIN)
        await admin.goto(`/techniques/${TECH}`)
        const score = admin.getByTestId('score')
        await score.waitFor({ timeout: 30_000 })
        const want = await counts(DEMO_ADMIN)
        expect(want.superseded > 0, `the demo has no superseded run of ${TECH}: ${JSON.stringify(want)}`)
        const text = await admin.getByTestId('test-counts').innerText()
        expect(text.includes(`${want.superseded.toLocaleString('en-US')} older run`), `counts in words: ${text}`)
        expect(/the latest validated run of each procedure/.test(text), `counts explained: ${text}`)
        const rows = await score.locator('tbody tr').count()
        expect(rows > 0 && rows <= 40, `breakdown lines: ${rows}`)
        await admin.getByText(`${want.total.toLocaleString('en-US')} test`).first().waitFor()
        const groups = admin.locator('.card', { hasText: 'Groups using it' })
        expect((await groups.locator('a[href^="/actors/"]').count()) > 0, 'groups named with links')
        await shot(admin, '90-technique-score')
        await admin.getByRole('button', { name: 'Show superseded tests' }).click()
        const old = admin.getByTestId('superseded-tests')
        await old.locator('tbody tr').first().waitFor()
        expect((await old.locator('tbody tr').count()) === Math.min(10, want.superseded), 'a page of superseded runs')
        expect((await old.innerText()).includes('replaced by'), 'each says what replaced it')
        if (want.superseded > 10) {
          await old.getByRole('button', { name: /Next/ }).click()
          await old.getByText('Page 2').waitFor()
        }
        await old.scrollIntoViewIfNeeded()
        await shot(admin, '91-technique-superseded')
        expect(admin.errors.length === 0, `page errors: ${admin.errors.join('; ')}`)
      },
    ],
    [
      'a blue analyst sees the counts without the unrevealed runs',
      async () => {
        needData()
        await signInPage(blue, BLUE)
        await blue.goto(`/techniques/${TECH}`)
        await blue.getByTestId('score').waitFor({ timeout: 30_000 })
        const mine = await counts(BLUE)
        const all = await counts(DEMO_ADMIN)
        expect(mine.total <= all.total, `blue counts ${mine.total} tests, admin ${all.total}`)
        const text = await blue.getByTestId('test-counts').innerText()
        expect(text.includes(`${mine.counting.toLocaleString('en-US')} count`), `blue's counts in words: ${text}`)
        await blue.getByTestId('test-counts').scrollIntoViewIfNeeded()
        await shot(blue, '92-technique-blue')
        expect(blue.errors.length === 0, `page errors: ${blue.errors.join('; ')}`)
      },
    ],
  ])
} catch (err) {
  console.error(err)
}
await finish(results, browser, server)
