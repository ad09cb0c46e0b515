// Lists keep their filters, sort and page in the URL and sort on the server:
// every sortable column of the tests, campaigns, ATT&CK campaigns, compliance
// controls, users and audit log answers without an error against the real
// server (relation columns included), a sort survives a reload, a row is a real
// link, and the executive report takes the matrix's scope. Uses the real
// Enterprise ATT&CK bundle and the small demo organisation when present.
import { join, resolve } from 'node:path'
import { existsSync } from 'node:fs'
import { execFileSync } from 'node:child_process'
import { BIN, ROOT, Skip, startServer, launch, newPage, shot, runSteps, expect } from '../harness.mjs'

const ADMIN = { name: 'Ada Admin', email: 'ada@example.com', password: 'correct-horse-42' }
const VIEWER = { email: 'viewer1@demo.aegis.local', password: 'aegis-demo-password' }
const SHARED = [process.env.AEGIS_SHARED_DATA, resolve(ROOT, '..', 'shared', 'data'), resolve(ROOT, '..', '..', 'shared', 'data')].filter(Boolean)
const ATTACK = SHARED.map((d) => join(d, 'attack', 'enterprise-attack-18.1.json.gz')).find((f) => existsSync(f))

const server = await startServer()
const browser = await launch()
let results
try {
  const errors = []
  const failed = []
  const watch = (p) => (p.on('response', (r) => r.url().includes('/api/') && r.status() >= 400 && failed.push(`${r.status()} ${r.url()}`)), p)
  let page = watch(await newPage(browser, server.base))
  let seeded = false
  const needData = () => {
    if (!seeded) throw new Skip('the Enterprise ATT&CK bundle is not available (shared data folder missing)')
  }
  // signIn opens a fresh browser context for a user.
  const signIn = async (who) => {
    errors.push(...page.errors)
    await page.context().close()
    page = watch(await newPage(browser, server.base))
    await page.goto('/login')
    await page.getByLabel('Email').fill(who.email)
    await page.getByLabel('Password').fill(who.password)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.locator('.sidebar').waitFor()
  }
  // sortsCleanly clicks every sortable header of the list at path, in both
  // directions, and checks the server answered each time (no error, the
  // header marked, the sort in the URL).
  const sortsCleanly = async (path) => {
    await page.goto(path)
    await page.locator('table.table tbody tr').first().waitFor()
    const names = await page.locator('th button.th-sort').allInnerTexts()
    expect(names.length > 0, `${path}: no sortable column`)
    for (const name of names) {
      for (const dir of ['ascending', 'descending']) {
        const button = page.locator('th button.th-sort', { hasText: name.trim() }).first()
        const before = page.url()
        await button.click()
        await page.waitForURL((u) => u.toString() !== before)
        await page.waitForTimeout(150)
        await page.locator('table.table tbody tr').first().waitFor()
        const marked = await button.locator('xpath=..').getAttribute('aria-sort')
        expect(marked === 'ascending' || marked === 'descending', `${path}: ${name} marked ${marked} (${dir} round)`)
        expect(failed.length === 0, `${path}: sorting by ${name}: ${failed.join('; ')}`)
        expect((await page.locator('.alert').count()) === 0, `${path}: sorting by ${name} (${dir}) failed: ${await page.locator('.alert').first().innerText().catch(() => '')}`)
        expect((await page.locator('table.table tbody tr').count()) > 0, `${path}: no rows sorted by ${name} (${dir})`)
      }
    }
    return names.length
  }

  results = await runSteps([
    [
      'the Enterprise ATT&CK bundle and the small demo are loaded',
      async () => {
        const r = await fetch(`${server.base}/api/aegis/setup`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ ...ADMIN, passwordConfirm: ADMIN.password }) })
        expect(r.ok, `setup answered ${r.status}`)
        if (!ATTACK) throw new Skip('shared data folder not present')
        execFileSync(BIN, ['import', 'attack', ATTACK, '--dir', server.dir], { stdio: 'pipe', timeout: 180_000 })
        execFileSync(BIN, ['demo', '--force', '--dir', server.dir], { stdio: 'pipe', timeout: 180_000 })
        seeded = true
        await signIn(VIEWER)
      },
    ],
    [
      'the tests list sorts on every column on the server, and filters and sort survive a reload',
      async () => {
        needData()
        const n = await sortsCleanly('/tests')
        expect(n >= 8, `tests sortable columns: ${n}`)
        await page.goto('/tests?state=validated&sort=technique.attack_id')
        await page.locator('a.row-link').first().waitFor()
        const ids = await page.locator('tbody tr td:nth-child(2) code').allInnerTexts()
        expect(ids.length > 1 && ids.every((x, i) => i === 0 || ids[i - 1].localeCompare(x) <= 0), `not sorted by technique: ${ids.join(' ')}`)
        await page.reload()
        await page.locator('a.row-link').first().waitFor()
        expect((await page.getByLabel('State').inputValue()) === 'validated', 'state filter lost on reload')
        expect((await page.locator('th[aria-sort=ascending]').innerText()).toLowerCase().includes('technique'), 'sort lost on reload')
        const total = await page.locator('.pagination').innerText()
        expect(/of [\d,]+/.test(total) && /Page 1 of \d+/.test(total), `tests pagination: ${total}`)
        await shot(page, 'lists-01-tests-sorted-by-technique')
        // A row is a real link: it opens, and Back returns to the same list.
        const href = await page.locator('a.row-link').first().getAttribute('href')
        await page.locator('a.row-link').first().click()
        await page.waitForURL('**' + href)
        await page.goBack()
        await page.waitForURL('**/tests?state=validated&sort=technique.attack_id')
      },
    ],
    [
      'campaigns, ATT&CK campaigns and compliance controls sort on the server',
      async () => {
        needData()
        await sortsCleanly('/campaigns')
        await sortsCleanly('/attack-campaigns')
        await page.goto('/attack-campaigns?sort=-name')
        await page.locator('a.row-link').first().waitFor()
        expect(((await page.locator('a.row-link').first().getAttribute('href')) ?? '').startsWith('/attack-campaigns/'), 'ATT&CK campaign rows are not links')
        await page.goto('/compliance')
        await page.locator('table.table tbody tr, .empty').first().waitFor()
        if ((await page.locator('table.table tbody tr').count()) > 0) await sortsCleanly('/compliance')
      },
    ],
    [
      'users and the audit log sort on the server; the audit log counts pages without a total',
      async () => {
        needData()
        await signIn(ADMIN)
        await sortsCleanly('/users')
        await sortsCleanly('/audit')
        await page.goto('/audit?sort=action&action=login')
        await page.locator('table.table tbody tr').first().waitFor()
        const nav = await page.locator('.pagination').innerText()
        expect(/Page 1/.test(nav) && !/ of /.test(nav), `audit pagination: ${nav}`)
        await page.reload()
        await page.locator('th[aria-sort=ascending]').waitFor()
      },
    ],
    [
      "the executive PDF takes the matrix's scope",
      async () => {
        needData()
        await signIn(VIEWER)
        await page.goto('/reports')
        await page.getByTestId('report-actor').locator('option').nth(1).waitFor({ state: 'attached' })
        const actor = await page.getByTestId('report-actor').locator('option').nth(1).getAttribute('value')
        await page.getByTestId('report-actor').selectOption(actor)
        expect(new URL(page.url()).searchParams.get('actor') === actor, 'actor not in the URL')
        const [req] = await Promise.all([page.waitForRequest((r) => r.url().includes('/api/aegis/reports/executive.pdf')), page.waitForEvent('download'), page.getByTestId('executive-pdf').click()])
        expect(new URL(req.url()).searchParams.get('actor') === actor, `PDF request lacks the actor: ${req.url()}`)
        await shot(page, 'lists-02-report-scope')
      },
    ],
    ['no page errors', async () => expect([...errors, ...page.errors].length === 0, [...errors, ...page.errors].join('\n'))],
  ])
} finally {
  await browser.close()
  await server.stop()
}
console.log(`${results.passed} passed, ${results.failed} failed, ${results.skipped} skipped`)
process.exit(results.failed ? 1 : 0)
