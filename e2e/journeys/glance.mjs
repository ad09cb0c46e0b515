// Read it at a glance: the first-run page survives reloads, the matrix at
// 1440×900 keeps every tactic's header in view while scrolled and its
// headline follows the actor filter, a list is walked with the keyboard only,
// the command palette opens a technique, and a viewer downloads the executive
// report as a PDF of several pages. Uses the real Enterprise ATT&CK bundle and
// the small demo organisation when the shared data folder is present.
import { join, resolve } from 'node:path'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { execFileSync } from 'node:child_process'
import { BIN, ROOT, SHOTS, Skip, startServer, launch, newPage, shot, runSteps, expect, finish } from '../harness.mjs'

const ADMIN = { name: 'Ada Admin', email: 'ada@example.com', password: 'correct-horse-42' }
const VIEWER = { email: 'viewer1@demo.aegis.local', password: 'aegis-demo-password' }
const SHARED = [process.env.AEGIS_SHARED_DATA, resolve(ROOT, '..', 'shared', 'data'), resolve(ROOT, '..', '..', 'shared', 'data')].filter(Boolean)
const ATTACK = SHARED.map((d) => join(d, 'attack', 'enterprise-attack-18.1.json.gz')).find((f) => existsSync(f))

const has = (cmd) => {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'pipe' })
    return true
  } catch {
    return false
  }
}

const server = await startServer()
const browser = await launch()
const tmp = mkdtempSync(join(tmpdir(), 'aegis-glance-'))
let results
try {
  const page = await newPage(browser, server.base)
  let seeded = false
  const needData = () => {
    if (!seeded) throw new Skip('the Enterprise ATT&CK bundle is not available (shared data folder missing)')
  }

  results = await runSteps([
    [
      'aegis serve prints the first-run URL, and /setup survives many reloads',
      async () => {
        const log = server.log()
        expect(log.includes(`${server.base}/setup`), `serve output lacks the first-run URL:\n${log}`)
        expect(!log.includes('pbinstal'), 'serve still prints the PocketBase installer link')
        for (let i = 0; i < 8; i++) {
          await page.goto('/setup')
          await page.getByRole('button', { name: 'Create administrator' }).waitFor()
        }
        const r = await fetch(`${server.base}/api/aegis/setup`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ ...ADMIN, passwordConfirm: ADMIN.password }) })
        expect(r.ok, `setup answered ${r.status}`)
        for (let i = 0; i < 4; i++) {
          await page.goto('/setup')
          await page.getByText('Aegis is already set up').waitFor()
        }
        expect((await page.getByTestId('setup-error').count()) === 0, 'setup error shown')
      },
    ],
    [
      'the Enterprise ATT&CK bundle and the small demo are loaded',
      async () => {
        if (!ATTACK) throw new Skip('shared data folder not present')
        execFileSync(BIN, ['import', 'attack', ATTACK, '--dir', server.dir], { stdio: 'pipe', timeout: 180_000 })
        execFileSync(BIN, ['demo', '--force', '--dir', server.dir], { stdio: 'pipe', timeout: 180_000 })
        seeded = true
        await page.goto('/login')
        await page.getByLabel('Email').fill(VIEWER.email)
        await page.getByLabel('Password').fill(VIEWER.password)
        await page.getByRole('button', { name: 'Sign in' }).click()
        await page.locator('.sidebar').waitFor()
      },
    ],
    [
      'the matrix at 1440×900 shows every tactic header while scrolled, with the legend in view',
      async () => {
        needData()
        await page.goto('/matrix')
        await page.getByTestId('matrix-headline').waitFor()
        const headers = page.getByTestId('tactic-header')
        await page.waitForFunction(() => document.querySelectorAll('[data-testid=tactic-header]').length >= 14 && document.querySelectorAll('[data-testid=technique-cell]').length > 100)
        expect((await headers.count()) === 14, `tactic headers: ${await headers.count()}`)
        const inView = async (what) => {
          const boxes = await headers.evaluateAll((els) => els.map((e) => e.getBoundingClientRect().toJSON()))
          for (const [i, b] of boxes.entries()) {
            expect(b.left >= 0 && b.right <= 1440 && b.top >= 0 && b.bottom <= 900 && b.width > 40, `${what}: header ${i} out of view ${JSON.stringify(b)}`)
          }
          const legend = await page.locator('.matrix-bar .legend').boundingBox()
          expect(legend && legend.y >= 0 && legend.y + legend.height <= 900, `${what}: legend out of view`)
        }
        await inView('at the top')
        await shot(page, '70-matrix-fit-all-tactics')
        await page.evaluate(() => window.scrollTo(0, 400))
        await page.getByTestId('matrix').evaluate((m) => (m.scrollTop = 1200))
        await page.waitForTimeout(200)
        const scrolled = await page.getByTestId('matrix').evaluate((m) => m.scrollTop)
        expect(scrolled > 300, `the matrix did not scroll (${scrolled})`)
        await inView('scrolled')
        // The horizontal scroll bar (if any) belongs to the matrix box, inside the viewport.
        const box = await page.getByTestId('matrix').boundingBox()
        expect(box.y + box.height <= 900, `matrix box ends below the viewport: ${JSON.stringify(box)}`)
        await shot(page, '76-matrix-scrolled-headers-stay')
        await page.getByTestId('matrix').evaluate((m) => (m.scrollTop = 0))
      },
    ],
    [
      'the headline follows the actor filter and says what it averages',
      async () => {
        needData()
        await page.evaluate(() => window.scrollTo(0, 0))
        const before = await page.getByTestId('matrix-headline').innerText()
        expect(/the mean of [\d,]+ in-scope techniques/.test(before), `headline: ${before}`)
        const label = await page.getByLabel('Threat actor').evaluate((s) => [...s.options].find((o) => o.text.includes('APT29'))?.value)
        expect(label, 'APT29 listed')
        await page.getByLabel('Threat actor').selectOption(label)
        await page.waitForFunction((b) => {
          const t = document.querySelector('[data-testid=matrix-headline]')?.textContent || ''
          return t !== b && t.includes('used by APT29')
        }, before.replace(/\s+/g, ' '))
        const after = await page.getByTestId('matrix-headline').innerText()
        expect(after !== before, 'headline unchanged')
        const scope = await page.getByTestId('layer-scope').inputValue()
        expect(scope === 'actor:G0016', `layer scope offered: ${scope}`)
        const [dl] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download the Navigator layer' }).click()])
        const layer = JSON.parse(readFileSync(await dl.path(), 'utf8'))
        expect(/APT29/.test(layer.name), `layer name: ${layer.name}`)
        const [rep] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: /executive report of this view/ }).click()])
        const scoped = readFileSync(await rep.path())
        expect(scoped.subarray(0, 7).toString() === '%PDF-1.', 'the report of this view is not a PDF')
        expect(rep.suggestedFilename() === 'aegis-executive-report-G0016.pdf', `report file name: ${rep.suggestedFilename()}`)
        await shot(page, '71-matrix-actor-headline')
      },
    ],
    [
      'a list is walked with the keyboard only: j/k, Enter, and back with its sort kept',
      async () => {
        needData()
        await page.goto('/actors?sort=-name')
        await page.locator('a.row-link').first().waitFor()
        const first = await page.locator('a.row-link').first().innerText()
        await page.locator('body').click({ position: { x: 700, y: 5 } })
        await page.keyboard.press('j')
        await page.keyboard.press('j')
        await page.keyboard.press('k')
        await page.keyboard.press('j')
        const focused = await page.evaluate(() => document.activeElement?.getAttribute('href'))
        const second = await page.locator('a.row-link').nth(1).getAttribute('href')
        expect(focused === second, `focus on ${focused}, want ${second}`)
        await shot(page, '72-list-keyboard')
        await page.keyboard.press('Enter')
        await page.waitForURL('**' + second)
        await page.goBack()
        await page.waitForURL('**/actors?sort=-name')
        expect((await page.locator('a.row-link').first().innerText()) === first, 'sort kept after going back')
        expect((await page.locator('th[aria-sort=descending]').count()) === 1, 'sorted column marked')
        // Tab reaches the rows: they are real links.
        await page.getByLabel('Search').focus()
        let onRow = false
        for (let i = 0; i < 12 && !onRow; i++) {
          await page.keyboard.press('Tab')
          onRow = await page.evaluate(() => document.activeElement?.classList.contains('row-link') ?? false)
        }
        expect(onRow, 'Tab never reached a row link')
        const total = await page.locator('.pagination').innerText()
        expect(/of [\d,]+/.test(total) && /Page 1 of \d+/.test(total), `pagination: ${total}`)
      },
    ],
    [
      'the command palette opens a technique',
      async () => {
        needData()
        await page.keyboard.press('Control+k')
        const input = page.getByRole('combobox', { name: /Search techniques/ })
        await input.waitFor()
        await input.fill('T1059.001')
        await page.getByRole('option', { name: /T1059\.001/ }).first().waitFor()
        await shot(page, '73-command-palette')
        await page.keyboard.press('Enter')
        await page.waitForURL('**/techniques/T1059.001')
        await page.getByRole('heading', { name: /PowerShell/ }).first().waitFor()
      },
    ],
    [
      'a viewer sees the trend from the first day and downloads the PDF (several pages)',
      async () => {
        needData()
        await page.goto('/reports')
        await page.getByTestId('trend-chart').waitFor()
        expect((await page.getByRole('button', { name: 'Take snapshot' }).count()) === 0, 'viewer offered a snapshot button')
        await shot(page, '74-trends')
        const [dl] = await Promise.all([page.waitForEvent('download'), page.getByTestId('executive-pdf').click()])
        const file = join(tmp, 'report.pdf')
        await dl.saveAs(file)
        const pdf = readFileSync(file)
        expect(pdf.subarray(0, 7).toString() === '%PDF-1.', 'not a PDF')
        expect(/%%EOF\s*$/.test(pdf.subarray(-32).toString('latin1')), 'PDF not complete')
        const count = /\/Type \/Pages\s*\/Kids \[[^\]]*\]\s*\/Count (\d+)/.exec(pdf.toString('latin1'))
        expect(count && Number(count[1]) > 1, `PDF pages: ${count?.[1]}`)
        if (has('pdfinfo')) {
          const info = execFileSync('pdfinfo', [file]).toString()
          const pages = Number(/Pages:\s+(\d+)/.exec(info)?.[1])
          expect(pages > 1, `pdfinfo pages: ${pages}`)
        }
        if (has('pdftoppm')) execFileSync('pdftoppm', ['-png', '-r', '70', '-f', '1', '-l', '1', '-singlefile', file, join(SHOTS, '75-executive-pdf-page1')])
      },
    ],
    [
      'polish: no horizontal overflow on a rule page, the sidebar runs the full page, toasts stay off the tables',
      async () => {
        needData()
        await page.goto('/rules?sort=-updated')
        await page.locator('a.row-link').first().waitFor()
        const pagination = await page.locator('.pagination').innerText()
        expect(/of [\d,]+/.test(pagination), `rules pagination lacks a total: ${pagination}`)
        await page.keyboard.press('j')
        await page.keyboard.press('Enter')
        await page.waitForURL('**/rules/*')
        await page.getByTestId('rule-content').waitFor()
        const width = await page.evaluate(() => document.documentElement.scrollWidth)
        expect(width <= 1440, `the rule page is ${width} px wide`)
        await page.goto('/rules')
        await page.locator('a.row-link').first().waitFor()
        await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight))
        const shell = await page.evaluate(() => ({ shell: document.querySelector('.shell').getBoundingClientRect().height, doc: document.documentElement.scrollHeight, bg: getComputedStyle(document.querySelector('.shell')).backgroundImage }))
        expect(shell.shell >= shell.doc - 1 && shell.bg.includes('gradient'), `shell ${JSON.stringify(shell)}`)
        const toasts = await page.evaluate(() => {
          const t = document.querySelector('.toasts')
          return t ? t.getBoundingClientRect().left : 0
        })
        expect(toasts < 232, `toasts start at ${toasts}px, over the page content`)
      },
    ],
    [
      'no page errors',
      async () => {
        expect(page.errors.length === 0, `page errors: ${page.errors.join('; ')}`)
      },
    ],
  ])
} catch (err) {
  console.log(`FAIL  set-up: ${err?.stack || err}`)
} finally {
  rmSync(tmp, { recursive: true, force: true })
}
await finish(results, browser, server)
