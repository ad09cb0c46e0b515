// The Findings board as every role that opens it: one read of the newest
// findings fills the columns, a column that read leaves short reads its own,
// "Show more" grows one column, an empty column says 0, and a blue role never
// sees the finding of an unrevealed blind test.
import { shot, runSteps, expect, finish, signInPage, newPage } from '../harness.mjs'
import { setup, signIn, technique, poll } from '../loop-lib.mjs'

const { server, su, browser } = await setup()
let results
try {
  const ps = await technique(su, 'T1059.001')
  // Oldest first: 30 in progress, then 3 resolved, then 80 open, then the
  // blind one, the newest. The board's first read (100 newest) holds 80 open
  // (81 for red), the 3 resolved and 17 in progress: in progress and risk
  // accepted read their own.
  const add = (title, status, extra = {}) => su('POST', '/api/collections/findings/records', { title, status, severity: 'medium', technique: ps.id, ...extra })
  for (let i = 0; i < 30; i++) await add(`Progress ${i}`, 'in_progress')
  for (let i = 0; i < 3; i++) await add(`Resolved ${i}`, 'resolved')
  for (let i = 0; i < 80; i++) await add(`Open ${i}`, 'open')
  const blind = await su('POST', '/api/collections/campaigns/records', { name: 'Blind week', status: 'active', round: 1, blind: true })
  const hidden = await su('POST', '/api/collections/tests/records', { name: 'Unrevealed run', technique: ps.id, platform: 'windows', state: 'executing', revision: 0, campaign: blind.id })
  await add('Finding of the unrevealed run', 'open', { test: hidden.id })
  const viewerUser = { name: 'Vera Viewer', email: 'vera@example.com', password: 'viewer-secret-99', role: 'viewer' }
  await su('POST', '/api/collections/users/records', { ...viewerUser, passwordConfirm: viewerUser.password, active: true })

  const column = (page, label) => page.getByRole('region', { name: label })
  const badge = async (page, label) => (await column(page, label).locator('.lane-head').innerText()).split('\n').pop().trim()
  const open = async (page) => {
    await page.goto('/findings')
    await page.getByTestId('findings-board').waitFor()
    await poll('the columns', async () => (await column(page, 'Open').getByTestId('finding-card').count()) > 0)
  }
  const roles = ['admin', 'red_lead', 'red_operator', 'blue_lead', 'blue_analyst', 'viewer']
  results = await runSteps(
    roles.map((role) => [
      `the findings board as ${role}: full columns say "25+", a short one reads its own, an empty one says 0${role.startsWith('blue') ? ', no blind finding' : ''}`,
      async () => {
        let page
        if (role === 'viewer') {
          page = await newPage(browser, server.base)
          await signInPage(page, viewerUser)
        } else page = await signIn(browser, server.base, role)
        await open(page)
        expect((await badge(page, 'Open')) === '25+', `open: ${await badge(page, 'Open')}`)
        expect((await badge(page, 'In progress')) === '25+', `in progress (its own read): ${await badge(page, 'In progress')}`)
        expect((await badge(page, 'Resolved')) === '3', `resolved: ${await badge(page, 'Resolved')}`)
        expect((await badge(page, 'Risk accepted')) === '0', `risk accepted: ${await badge(page, 'Risk accepted')}`)
        const blindShown = (await page.getByText('Finding of the unrevealed run').count()) > 0
        expect(role.startsWith('blue') ? !blindShown : blindShown, `the blind finding ${blindShown ? 'shows' : 'is missing'} for ${role}`)
        await column(page, 'Open').getByTestId('findings-more').click()
        await poll('50 open cards', async () => (await column(page, 'Open').getByTestId('finding-card').count()) === 50)
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth + 1)
        expect(!overflow, 'the board overflows the window')
        await page.evaluate(() => window.scrollTo(0, 0))
        await shot(page, `findings-${role}`)
        expect(page.errors.length === 0, `page errors: ${page.errors.join('; ')}`)
        await page.close()
      },
    ]),
  )
} catch (err) {
  console.log(`FAIL  set-up: ${err?.stack || err}`)
}
await finish(results, browser, server)
