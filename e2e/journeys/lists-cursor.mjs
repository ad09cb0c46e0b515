// The Tests page and the Audit log page by cursor: a blue analyst and an
// admin page forward to the end and back to the start; every row shows
// exactly once and in the server's order, the previous pages are the same
// rows as on the way forward, links carry the cursor (a reload shows the
// same page), the blue analyst never sees a blind test, and the total is the
// count of the tests the reader may see.
import { shot, runSteps, expect, finish } from '../harness.mjs'
import { setup, signIn, technique, poll } from '../loop-lib.mjs'

const { server, su, browser } = await setup()
let results
try {
  const ps = await technique(su, 'T1059.001')
  const names = []
  const blindRound = await su('POST', '/api/collections/campaigns/records', { name: 'Blind round', status: 'active', round: 1, blind: true })
  for (let i = 1; i <= 60; i++) {
    const name = `Cursor test ${String(i).padStart(2, '0')}`
    // Every fourth test belongs to a blind round: hidden from blue roles.
    const t = await su('POST', '/api/collections/tests/records', { name, technique: ps.id, platform: 'windows', state: i % 3 ? 'draft' : 'ready', revision: 0, ...(i % 4 === 0 ? { campaign: blindRound.id } : {}) })
    names.push({ name, revealed: t.revealed })
  }
  expect(names.filter((t) => !t.revealed).length === 15, `blind tests: ${names.filter((t) => !t.revealed).length}`)
  const analyst = await signIn(browser, server.base, 'blue_analyst')
  const admin = await signIn(browser, server.base, 'admin')

  const nav = (page) => page.getByRole('navigation', { name: 'Pagination' })
  /** state says where a page is, for failures. */
  const state = async (page) => `${page.url()} | ${await nav(page).innerText().catch(() => '')} | ${await page.locator('.alert').allInnerTexts().catch(() => [])}`
  const wait = async (page, what, fn) => {
    try {
      return await poll(what, fn)
    } catch (err) {
      throw new Error(`${err.message} at ${await state(page)}`)
    }
  }
  /** walk pages forward to the end, then back to the start; rows(page) reads a page's keys. */
  async function walk(page, rows, what, byCursor = true) {
    const forward = []
    let first = await rows()
    forward.push(first)
    for (let n = 0; n < 20; n++) {
      const next = nav(page).getByRole('button', { name: 'Next →' })
      if (await next.isDisabled()) break
      const before = first.join('|')
      await next.click()
      first = await wait(page, `${what}: the next page`, async () => {
        const r = await rows()
        return r.length > 0 && r.join('|') !== before && r
      })
      expect(!byCursor || /[?&]after=/.test(page.url()), `${what}: no cursor in ${page.url()}`)
      forward.push(first)
    }
    // A reload of a cursor link shows the same rows.
    const last = forward[forward.length - 1].join('|')
    if (forward.length > 1) {
      await page.reload()
      await wait(page, `${what}: the same page after a reload`, async () => (await rows()).join('|') === last)
    }
    const backward = [forward[forward.length - 1]]
    for (let n = 0; n < 20; n++) {
      const prev = nav(page).getByRole('button', { name: '← Previous' })
      if (await prev.isDisabled()) break
      const before = backward[backward.length - 1].join('|')
      await prev.click()
      backward.push(await wait(page, `${what}: the previous page`, async () => {
        const r = await rows()
        return r.length > 0 && r.join('|') !== before && r
      }))
    }
    expect(JSON.stringify(backward.reverse()) === JSON.stringify(forward), `${what}: the pages back differ from the pages forward`)
    return forward.flat()
  }
  const testRows = (page) => async () => ((await page.locator('tbody tr b.wrap-anywhere').count()) ? page.locator('tbody tr b.wrap-anywhere').allInnerTexts() : [])
  const expectedTests = (blue) => names.filter((t) => !blue || t.revealed).map((t) => t.name)

  results = await runSteps([
    [
      'a blue analyst pages the tests forward and back by cursor: every visible test once, no blind test, the total counted',
      async () => {
        await analyst.goto('/tests')
        await analyst.getByText('Cursor test', { exact: false }).first().waitFor()
        const want = expectedTests(true)
        await wait(analyst, 'the total', async () => (await nav(analyst).innerText()).includes(`of ${want.length}`))
        await shot(analyst, 'lists-01-tests-blue-first-page')
        const seen = await walk(analyst, testRows(analyst), 'tests as blue')
        expect(seen.length === want.length, `saw ${seen.length} rows, ${want.length} visible`)
        expect(new Set(seen).size === seen.length, 'a row repeats')
        expect(want.every((n) => seen.includes(n)), 'a visible test is skipped')
        // Newest change first: the reverse of the creation order.
        expect(JSON.stringify(seen) === JSON.stringify([...want].reverse()), `order: ${seen.join(', ')}`)
        await nav(analyst).getByRole('button', { name: 'Next →' }).click()
        await wait(analyst, 'the second page', async () => (await nav(analyst).innerText()).includes(`26–${want.length} of ${want.length}`))
        await nav(analyst).scrollIntoViewIfNeeded()
        await shot(analyst, 'lists-05-tests-blue-second-page')
      },
    ],
    [
      'an admin pages every test forward and back, and the state filter keeps its own total',
      async () => {
        await admin.goto('/tests')
        await admin.getByText('Cursor test', { exact: false }).first().waitFor()
        const want = expectedTests(false)
        await wait(admin, 'the total', async () => (await nav(admin).innerText()).includes(`of ${want.length}`))
        const seen = await walk(admin, testRows(admin), 'tests as admin')
        expect(JSON.stringify(seen) === JSON.stringify([...want].reverse()), `order: ${seen.join(', ')}`)
        // The page size is a choice kept in the URL.
        await nav(admin).getByLabel('Rows per page').selectOption('50')
        await admin.waitForURL(/[?&]per=50/)
        await wait(admin, 'fifty rows', async () => (await admin.locator('tbody tr b.wrap-anywhere').count()) === 50 && (await nav(admin).innerText()).includes('1–50 of 60'))
        await nav(admin).scrollIntoViewIfNeeded()
        await shot(admin, 'lists-06-tests-fifty-per-page')
        await admin.goto('/tests?state=ready')
        const ready = names.filter((_, i) => (i + 1) % 3 === 0).length
        await wait(admin, 'the ready total', async () => (await nav(admin).innerText()).includes(`of ${ready}`))
        await nav(admin).getByRole('button', { name: 'Next →' }).waitFor()
        expect(await nav(admin).getByRole('button', { name: 'Next →' }).isDisabled(), 'one page of ready tests only')
        await shot(admin, 'lists-02-tests-admin-state')
        // The search matches the name, or the technique's id or name (by technique id).
        await admin.goto('/tests?per=100')
        await admin.getByLabel('Search').fill('Cursor test 1')
        await wait(admin, 'the name search', async () => (await admin.locator('tbody tr b.wrap-anywhere').count()) === 10)
        await admin.getByLabel('Search').fill('PowerShell')
        await wait(admin, 'the technique search', async () => (await admin.locator('tbody tr b.wrap-anywhere').count()) === 60)
        await admin.getByLabel('Search').fill('T1059.001')
        await wait(admin, 'the ATT&CK id search', async () => (await admin.locator('tbody tr b.wrap-anywhere').count()) === 60)
        const req = (await admin.evaluate(() => performance.getEntriesByType('resource').map((e) => e.name))).filter((u) => u.includes('/api/collections/tests/records')).pop() ?? ''
        expect(decodeURIComponent(req).includes('technique = ') && !decodeURIComponent(req).includes('technique.name'), `the search joins: ${decodeURIComponent(req)}`)
      },
    ],
    [
      'an admin pages the audit log forward and back by cursor, in the server order, newest first',
      async () => {
        const all = []
        for (let p = 1; ; p++) {
          const r = await su('GET', `/api/collections/audit_logs/records?page=${p}&perPage=200&sort=-created,-id&skipTotal=1`)
          all.push(...r.items)
          if (r.items.length < 200) break
        }
        expect(all.length > 50, `only ${all.length} audit entries`)
        await admin.goto('/audit')
        await admin.locator('tbody tr').first().waitFor()
        const rows = async () => ((await admin.locator('tbody tr').count()) ? admin.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => `${tr.children[2]?.textContent}:${tr.children[4]?.textContent}`)) : [])
        await shot(admin, 'lists-03-audit-first-page')
        const seen = await walk(admin, rows, 'audit as admin')
        // Entries written while paging (the sign-ins above are older) would
        // show on the first page only; compare with the server's order.
        const want = all.map((e) => `${e.action.replace(/_/g, ' ')}:${e.record_id || '—'}`)
        expect(seen.length === want.length, `saw ${seen.length} entries, the server has ${want.length}`)
        expect(seen.map((s) => s.toLowerCase()).join('|') === want.map((s) => s.toLowerCase()).join('|'), 'the audit pages skip or repeat an entry')
      },
    ],
    [
      'the audit log sorted by actor pages in order over its index, and a blue analyst sees no entry of a blind test',
      async () => {
        await admin.goto('/audit?sort=actor_name')
        await admin.locator('tbody tr').first().waitFor()
        const rows = async () => ((await admin.locator('tbody tr').count()) ? admin.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => `${tr.children[1]?.textContent}:${tr.children[2]?.textContent}:${tr.children[4]?.textContent}`)) : [])
        // By actor the log pages by number (see auditByCursor in the page).
        const seen = await walk(admin, rows, 'audit by actor', false)
        // The order is the stored actor name's (people who signed in with an
        // email have theirs kept private and shown to admins only): the
        // server's order, every entry once.
        const all = []
        for (let p = 1; ; p++) {
          const r = await su('GET', `/api/collections/audit_logs/records?page=${p}&perPage=200&sort=actor_name,created,id&skipTotal=1`)
          all.push(...r.items)
          if (r.items.length < 200) break
        }
        const key = (s) => s.split(':').slice(1).join(':').toLowerCase()
        const want = all.map((e) => `${e.action.replace(/_/g, ' ')}:${e.record_id || '—'}`.toLowerCase())
        expect(seen.map(key).join('|') === want.join('|'), `by actor: ${seen.length} rows, the server ${want.length}, or another order`)
        await shot(admin, 'lists-04-audit-by-actor')
        const blind = (await su('GET', `/api/collections/tests/records?perPage=200&filter=${encodeURIComponent('revealed = false')}`)).items.map((t) => t.id)
        await analyst.goto('/audit')
        const blueRows = async () => ((await analyst.locator('tbody tr').count()) ? analyst.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => `${tr.children[2]?.textContent}:${tr.children[4]?.textContent}`)) : [])
        await analyst.locator('tbody tr').first().waitFor()
        const blue = await walk(analyst, blueRows, 'audit as blue')
        expect(blue.length > 0 && !blue.some((r) => blind.some((id) => r.endsWith(':' + id))), 'a blind test shows in the blue audit log')
        expect(analyst.errors.length === 0 && admin.errors.length === 0, `page errors: ${[...analyst.errors, ...admin.errors].join('; ')}`)
      },
    ],
    [
      "typing in the audit log's actor box asks once the typing pauses, not once a key",
      async () => {
        await admin.goto('/audit')
        await admin.locator('tbody tr').first().waitFor()
        const asked = async () =>
          (await admin.evaluate(() => performance.getEntriesByType('resource').map((e) => e.name))).filter((u) => u.includes('/api/collections/audit_logs/records') && decodeURIComponent(u).includes('actor_name ~')).length
        await admin.getByLabel('Actor').pressSequentially('nobody by this name', { delay: 40 })
        await wait(admin, 'the empty list', async () => admin.getByText('No audit entries match').isVisible())
        const n = await asked()
        // One per pause: a busy machine may pause the typing a few times.
        expect(n >= 1 && n <= 6, `${n} audit requests for one typed name (one per key would be 19)`)
        await admin.getByLabel('Actor').fill('')
        await admin.locator('tbody tr').first().waitFor()
        expect(admin.errors.length === 0, `page errors: ${admin.errors.join('; ')}`)
      },
    ],
  ])
} catch (err) {
  console.log(`FAIL  set-up: ${err?.stack || err}`)
}
await finish(results, browser, server)
