// The red lead picks techniques on the ATT&CK matrix inside the campaign
// editor: two clicks, one button, two draft tests in the campaign.
import { shot, runSteps, expect } from '../harness.mjs'
import { setup, signIn, poll } from '../loop-lib.mjs'

const { server, su, browser } = await setup()
let results
try {
  const lead = await signIn(browser, server.base, 'red_lead')
  let campaignId = ''
  const cell = (id) => lead.getByTestId('pick-cell').and(lead.locator(`[data-attack-id="${id}"]`))
  results = await runSteps([
    [
      'a campaign is planned by hand',
      async () => {
        await lead.goto('/campaigns/new')
        await lead.getByRole('tab', { name: 'By hand' }).click()
        await lead.getByLabel('Name').fill('Phishing to ransomware')
        await lead.getByLabel('Description').fill('From the first mail to the encrypted share.')
        await lead.getByTestId('wizard-submit').click()
        await lead.getByRole('heading', { name: 'Phishing to ransomware' }).waitFor()
        campaignId = lead.url().split('/campaigns/')[1]
      },
    ],
    [
      'two techniques picked on the matrix become two draft tests',
      async () => {
        await lead.getByTestId('add-tests').click()
        await lead.getByRole('tab', { name: 'Pick on the matrix' }).click()
        await lead.getByTestId('pick-matrix').waitFor()
        await cell('T1566').click()
        await cell('T1486').click()
        // A technique under two tactics is one pick: both of its cells show it.
        await cell('T1053').first().click()
        expect((await lead.locator('[data-attack-id="T1053"][aria-pressed="true"]').count()) === 2, 'T1053 is not shown picked in both tactics')
        await cell('T1053').last().click()
        expect((await lead.locator('[data-testid=pick-cell][aria-pressed="true"]').count()) === 2, 'two cells should stay picked')
        await lead.getByTestId('add-picked-tests').getByText('Add 2 draft tests').waitFor()
        await lead.mouse.move(0, 0)
        await shot(lead, 'loop-07-matrix-pick')
        await lead.getByTestId('add-picked-tests').click()
        // Once added, the techniques are in the campaign and cannot be picked twice.
        await poll('cells disabled', async () => (await cell('T1566').isDisabled()) && (await cell('T1486').isDisabled()))
        await lead.getByRole('dialog').getByText('Close', { exact: true }).click()
        await lead.getByRole('row', { name: /T1566 Phishing/ }).waitFor()
        await lead.getByRole('row', { name: /T1486 Data Encrypted for Impact/ }).waitFor()
        const tests = await su('GET', `/api/collections/tests/records?perPage=50&expand=technique&filter=${encodeURIComponent(`campaign='${campaignId}'`)}`)
        expect(tests.items.length === 2, `expected 2 tests, got ${tests.items.length}`)
        expect(tests.items.every((t) => t.state === 'draft'), 'tests are not drafts')
        expect(tests.items.map((t) => t.expand.technique.attack_id).sort().join() === 'T1486,T1566', 'wrong techniques')
        expect(lead.errors.length === 0, `page errors: ${lead.errors.join('; ')}`)
      },
    ],
  ])
} finally {
  await browser.close()
  await server.stop()
}
console.log(`${results.passed} passed, ${results.failed} failed, ${results.skipped} skipped`)
process.exit(results.failed ? 1 : 0)
