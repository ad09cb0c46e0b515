// Modal forms behave the same everywhere (ds FormDialog): the first field has
// the focus when a dialog opens, the server's refusal is shown in words in the
// dialog, which stays open with what was typed; Enter submits once; Escape and
// Cancel close without saving. Walked through the user, defense tool, library
// and test edit forms.
import { shot, runSteps, expect, finish } from '../harness.mjs'
import { setup, signIn, technique, poll, PEOPLE } from '../loop-lib.mjs'

const { server, su, browser } = await setup()
let results
try {
  const lsass = await technique(su, 'T1003.001')
  await su('POST', '/api/collections/test_templates/records', {
    source: 'atomic', source_id: 'e2e-forms-procdump', technique: lsass.id, technique_attack_id: 'T1003.001',
    name: 'Dump LSASS.exe Memory using ProcDump', platforms: ['windows'],
    executor: { name: 'command_prompt', command: 'procdump.exe -accepteula -ma lsass.exe C:\\Windows\\Temp\\lsass_dump.dmp' },
  })
  const admin = await signIn(browser, server.base, 'admin')
  const focused = (page) => page.evaluate(() => document.activeElement?.closest('.field')?.querySelector('label')?.textContent ?? document.activeElement?.tagName)
  const count = async (collection, filter) => (await su('GET', `/api/collections/${collection}/records?perPage=1&filter=${encodeURIComponent(filter)}`)).totalItems

  results = await runSteps([
    [
      'new user: the first field has the focus; a taken email is refused in words and the dialog keeps what was typed',
      async () => {
        await admin.goto('/users')
        await admin.getByRole('button', { name: /New user/ }).click()
        const d = admin.getByRole('dialog', { name: 'New user' })
        await d.waitFor()
        expect((await focused(admin)) === 'Name', `focus on open: ${await focused(admin)}`)
        await d.getByLabel('Name').fill('Second Ada')
        await d.getByLabel('Email').fill(PEOPLE.admin.email)
        await d.getByLabel('Password', { exact: true }).fill('another-secret-42')
        await d.getByLabel('Confirm password').fill('another-secret-42')
        await d.getByRole('button', { name: 'Create user' }).click()
        const alert = d.getByRole('alert')
        await alert.waitFor()
        const text = await alert.innerText()
        expect(/email/i.test(text), `refusal in words: ${text}`)
        expect((await d.getByLabel('Name').inputValue()) === 'Second Ada', 'what was typed stays')
        await shot(admin, 'forms-01-user-refused')
        await d.getByRole('button', { name: 'Cancel' }).click()
        await d.waitFor({ state: 'detached' })
        expect((await count('users', "name='Second Ada'")) === 0, 'nothing stored')
      },
    ],
    [
      'defense tool: Enter in a field saves, a double click saves once; Escape closes without saving',
      async () => {
        await admin.goto('/tools')
        await admin.getByRole('button', { name: 'Add tool' }).click()
        const d = admin.getByRole('dialog', { name: 'Add a defense tool' })
        await d.waitFor()
        expect((await focused(admin)) === 'Name', `focus on open: ${await focused(admin)}`)
        await d.getByLabel('Name').fill('Falcon sensor')
        await d.getByLabel('Vendor').fill('CrowdStrike')
        await shot(admin, 'forms-02-tool-dialog')
        await d.getByLabel('Vendor').press('Enter')
        await d.waitFor({ state: 'detached' })
        await admin.getByRole('row', { name: /Falcon sensor/ }).waitFor()
        await poll('the tool to be stored', async () => (await count('defense_tools', "name='Falcon sensor'")) === 1)
        await admin.getByRole('button', { name: 'Add tool' }).click()
        await admin.getByRole('dialog').getByLabel('Name').fill('Sentinel')
        await admin.getByRole('dialog').getByRole('button', { name: 'Save' }).dblclick()
        await admin.getByRole('row', { name: /Sentinel/ }).waitFor()
        await admin.waitForTimeout(500)
        expect((await count('defense_tools', "name='Sentinel'")) === 1, `a double click saved ${await count('defense_tools', "name='Sentinel'")} times`)
        await admin.getByRole('button', { name: 'Add tool' }).click()
        await admin.getByRole('dialog').getByLabel('Name').fill('Never saved')
        await admin.keyboard.press('Escape')
        await admin.getByRole('dialog').waitFor({ state: 'detached' })
        expect((await count('defense_tools', "name='Never saved'")) === 0, 'Escape does not save')
      },
    ],
    [
      'library: a test is created from a template through its dialog',
      async () => {
        await admin.goto('/library')
        await admin.getByRole('row', { name: /ProcDump/ }).click()
        await admin.getByRole('button', { name: 'Create test from template' }).click()
        const d = admin.getByRole('dialog', { name: 'Create test from template' })
        await d.waitFor()
        expect((await focused(admin)) === 'Name', `focus on open: ${await focused(admin)}`)
        await d.getByLabel('Name').fill('LSASS dump, forms journey')
        await shot(admin, 'forms-03-library-create-test')
        await d.getByRole('button', { name: 'Create test' }).click()
        await admin.getByRole('heading', { name: 'LSASS dump, forms journey' }).waitFor()
      },
    ],
    [
      'test detail: the edit dialog saves the new name',
      async () => {
        await admin.getByRole('button', { name: 'Edit', exact: true }).click()
        const d = admin.getByRole('dialog', { name: /^Edit · / })
        await d.waitFor()
        await d.getByLabel('Name').fill('LSASS dump, edited')
        await d.getByRole('button', { name: 'Save' }).click()
        await d.waitFor({ state: 'detached' })
        await admin.getByRole('heading', { name: 'LSASS dump, edited' }).waitFor()
        expect((await count('tests', "name='LSASS dump, edited'")) === 1, 'edit stored')
        expect(admin.errors.length === 0, `page errors: ${admin.errors.join('; ')}`)
      },
    ],
  ])
} catch (err) {
  console.log(`FAIL  set-up: ${err?.stack || err}`)
}
await finish(results, browser, server)
