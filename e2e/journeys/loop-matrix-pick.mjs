// The red lead picks techniques on the ATT&CK matrix inside the campaign
// editor: two clicks, one button, two draft tests in the campaign. Then a
// draft's platform is chosen from the catalogue's platforms, and campaigns
// planned from a threat actor and from a layer keep the description typed in
// the wizard.
import { shot, runSteps, expect, finish } from '../harness.mjs'
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
      },
    ],
    [
      "a draft's platform is picked among the ATT&CK platforms, the technique's own first",
      async () => {
        await lead.getByRole('row', { name: /T1486 Data Encrypted for Impact/ }).getByRole('link').first().click()
        await lead.getByTestId('edit-test').click()
        const select = lead.getByTestId('test-platform')
        await select.locator('option', { hasText: 'Windows (this technique)' }).waitFor({ state: 'attached' })
        const labels = await select.locator('option').allInnerTexts()
        expect(labels.includes('Containers'), `catalogue platforms missing: ${labels.join(', ')}`)
        await select.selectOption('linux')
        await shot(lead, 'loop-08-draft-platform')
        await lead.getByRole('button', { name: 'Save' }).click()
        await lead.getByRole('dialog').waitFor({ state: 'detached' })
        const t = (await su('GET', `/api/collections/tests/records?filter=${encodeURIComponent(`campaign='${campaignId}' && name~'T1486'`)}`)).items[0]
        expect(t.platform === 'linux', `platform is ${t.platform}`)
      },
    ],
    [
      'campaigns planned from a threat actor and from a layer keep the wizard description',
      async () => {
        await lead.goto('/campaigns/new')
        await lead.getByLabel('Name').fill('APT29 with notes')
        await lead.getByLabel('Threat actor').selectOption({ label: 'APT29 (G0016)' })
        await lead.getByTestId('target-platforms').getByLabel('windows').check()
        await lead.getByLabel('Description').fill('Emulate **APT29** on the finance estate only.')
        await lead.getByTestId('wizard-submit').click()
        await lead.getByTestId('actor-preview').waitFor()
        await lead.getByTestId('wizard-submit').click()
        await lead.getByRole('heading', { name: 'APT29 with notes' }).waitFor()
        await lead.locator('b', { hasText: 'APT29' }).first().waitFor()
        const actorCamp = await su('GET', `/api/collections/campaigns/records/${lead.url().split('/campaigns/')[1]}`)
        expect(actorCamp.description === 'Emulate **APT29** on the finance estate only.', `actor campaign description: ${actorCamp.description}`)

        await lead.goto('/campaigns/new')
        await lead.getByRole('tab', { name: 'From a Navigator layer' }).click()
        await lead.getByLabel('Name').fill('Layer with notes')
        const layer = { name: 'brute force', domain: 'enterprise-attack', description: 'the layer says this', versions: { layer: '4.5', navigator: '4.9.1', attack: '15' }, techniques: [{ techniqueID: 'T1110', score: 1 }] }
        await lead.getByLabel('Layer file').setInputFiles({ name: 'layer.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(layer)) })
        await lead.getByLabel('Description').fill('Only the VPN gateways.')
        await lead.getByTestId('wizard-submit').click()
        await lead.getByRole('heading', { name: 'Layer with notes' }).waitFor()
        const layerCamp = await su('GET', `/api/collections/campaigns/records/${lead.url().split('/campaigns/')[1]}`)
        expect(layerCamp.description === 'Only the VPN gateways.', `layer campaign description: ${layerCamp.description}`)
        expect(lead.errors.length === 0, `page errors: ${lead.errors.join('; ')}`)
      },
    ],
  ])
} catch (err) {
  console.log(`FAIL  set-up: ${err?.stack || err}`)
}
await finish(results, browser, server)
