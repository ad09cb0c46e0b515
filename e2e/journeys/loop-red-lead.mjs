// The red lead's story: a campaign planned by hand with three tests (a
// custom procedure, an Atomic template with arguments, one picked by
// technique), its dates and recurrence edited, an APT29 campaign planned for
// Windows after a preview, and its tests assigned and approved in bulk.
import { shot, runSteps, expect, finish } from '../harness.mjs'
import { setup, signIn, technique, poll } from '../loop-lib.mjs'

const { server, su, ids, browser } = await setup()
let results
try {
  const lsass = await technique(su, 'T1003.001')
  await su('POST', '/api/collections/test_templates/records', {
    source: 'atomic', source_id: '0be2230c-9ab3-4ac2-8826-3199b9a0ebf8', technique: lsass.id, technique_attack_id: 'T1003.001',
    name: 'Dump LSASS.exe Memory using ProcDump', description: 'The memory of lsass.exe is dumped for credential extraction.', platforms: ['windows'],
    executor: { name: 'command_prompt', command: '#{procdump_exe} -accepteula -ma lsass.exe #{output_file}', cleanup_command: 'del "#{output_file}" >nul 2> nul', elevation_required: true },
    input_arguments: { output_file: { description: 'Path where resulting dump should be placed', type: 'path', default: 'C:\\Windows\\Temp\\lsass_dump.dmp' }, procdump_exe: { description: 'Path of Procdump executable', type: 'path', default: 'PathToAtomicsFolder\\..\\ExternalPayloads\\procdump.exe' } },
  })
  const lead = await signIn(browser, server.base, 'red_lead')
  let campaignId = ''
  const row = (name) => lead.getByRole('row', { name })

  results = await runSteps([
    [
      'a campaign planned by hand shows its description',
      async () => {
        await lead.goto('/campaigns/new')
        await lead.getByRole('tab', { name: 'By hand' }).click()
        await lead.getByLabel('Name').fill('Credential access sprint')
        await lead.getByLabel('Description').fill('Check **credential dumping** and brute force on the Windows estate.')
        await lead.getByTestId('wizard-submit').click()
        await lead.getByRole('heading', { name: 'Credential access sprint' }).waitFor()
        campaignId = lead.url().split('/campaigns/')[1]
        await lead.getByText('credential dumping', { exact: true }).waitFor()
        expect((await lead.locator('b', { hasText: 'credential dumping' }).count()) === 1, 'description rendered as markdown')
      },
    ],
    [
      'three tests are added: a custom procedure, an Atomic template with arguments, one by technique',
      async () => {
        await lead.getByTestId('add-tests').click()
        await lead.getByRole('tab', { name: 'Custom procedure' }).click()
        await lead.getByTestId('technique-search').fill('PowerShell')
        await lead.getByTestId('technique-hit').filter({ hasText: 'T1059.001' }).click()
        await lead.getByLabel('Name').fill('Encoded PowerShell download cradle')
        await lead.getByLabel('Procedure (Markdown)').fill('Run as a standard user:\n\n```powershell\npowershell -enc SQBFAFgA\n```')
        await lead.getByRole('button', { name: 'Create draft' }).click()
        await row(/Encoded PowerShell download cradle/).waitFor()

        await lead.getByTestId('add-tests').click()
        await lead.getByRole('tab', { name: 'From the library' }).click()
        await lead.getByTestId('template-search').fill('T1003.001')
        await lead.getByTestId('template-hit').filter({ hasText: 'ProcDump' }).click()
        await lead.getByRole('table', { name: 'Template arguments' }).getByText('procdump_exe').waitFor()
        await shot(lead, 'loop-01-template-arguments')
        await lead.getByTestId('add-template-test').click()
        await lead.getByRole('tab', { name: 'By technique' }).click()
        await lead.getByTestId('technique-search').fill('T1110')
        await lead.getByTestId('technique-hit').filter({ hasText: 'Brute Force' }).click()
        await lead.getByTestId('add-technique-test').click()
        await lead.getByRole('dialog').getByText('Close', { exact: true }).click()
        await row(/Dump LSASS.exe Memory using ProcDump/).waitFor()
        await row(/T1110 Brute Force/).waitFor()
        await shot(lead, 'loop-02-campaign-by-hand')
      },
    ],
    [
      'the campaign dates and recurrence are edited, the schedule read aloud with its next runs',
      async () => {
        await lead.getByTestId('edit-campaign').click()
        await lead.getByLabel('Start').fill('2027-01-04')
        await lead.getByLabel('End').fill('2027-01-29')
        await lead.getByLabel('Recurrence').fill('0 6 * * 1')
        await lead.getByText('At 06:00 UTC on Monday').waitFor()
        expect((await lead.getByTestId('cron-next').innerText()).split('·').length === 3, 'three next runs shown')
        await lead.getByLabel('Recurrence').fill('0 6 * *')
        await lead.getByText('A schedule has 5 fields').waitFor()
        await lead.getByLabel('Recurrence').fill('30 6 * * 1')
        await shot(lead, 'loop-03-campaign-edit-recurrence')
        await lead.getByTestId('save-campaign').click()
        await lead.getByTestId('campaign-recurrence').getByText('At 06:30 UTC on Monday').waitFor()
        const c = await su('GET', `/api/collections/campaigns/records/${campaignId}`)
        expect(c.recurrence === '30 6 * * 1' && c.start_at.startsWith('2027-01-04') && c.end_at.startsWith('2027-01-29'), `saved: ${c.recurrence} ${c.start_at} ${c.end_at}`)
        expect(!!c.next_run_at, 'the server scheduled the next run')
      },
    ],
    [
      'APT29 is planned for Windows after previewing the tests and their templates',
      async () => {
        await lead.goto('/campaigns/new')
        await lead.getByLabel('Name').fill('APT29 on Windows')
        await lead.getByLabel('Threat actor').selectOption({ label: 'APT29 (G0016)' })
        await lead.getByTestId('wizard-submit').click()
        await lead.getByText('Choose the target platforms first').waitFor()
        await lead.getByTestId('target-platforms').getByLabel('windows').check()
        await lead.getByTestId('wizard-submit').click()
        const preview = lead.getByTestId('actor-preview')
        await preview.waitFor()
        const n = await preview.locator('tbody tr').count()
        expect(n > 0, 'preview lists tests')
        expect((await preview.innerText()).includes('T1003.001'), 'LSASS dumping previewed')
        expect((await preview.innerText()).includes('atomic template for windows'), 'the chosen template and why')
        await shot(lead, 'loop-04-actor-preview')
        await lead.getByTestId('wizard-submit').click()
        await lead.getByRole('heading', { name: 'APT29 on Windows' }).waitFor()
        const apt = lead.url().split('/campaigns/')[1]
        const tests = await su('GET', `/api/collections/tests/records?perPage=200&filter=${encodeURIComponent(`campaign='${apt}'`)}`)
        expect(tests.items.length === n, `created ${tests.items.length}, previewed ${n}`)
        expect(tests.items.every((t) => t.platform === 'windows'), 'only Windows procedures')
      },
    ],
    [
      'the APT29 tests are assigned and approved in bulk from the tests page',
      async () => {
        const apt = lead.url().split('/campaigns/')[1]
        await lead.goto(`/tests?campaign=${apt}`)
        await lead.getByTestId('select-test').first().waitFor()
        await lead.getByLabel('Select the tests of this page').check()
        await lead.getByTestId('bulk-assign').click()
        await lead.getByRole('dialog').getByLabel('Red operator').selectOption({ label: 'Oscar Operator (Red operator)' })
        await lead.getByRole('dialog').getByLabel('Blue analyst').selectOption({ label: 'Ben Analyst (Blue analyst)' })
        await lead.getByTestId('bulk-submit').click()
        await lead.getByRole('cell', { name: 'Oscar Operator' }).first().waitFor()
        await lead.getByLabel('Select the tests of this page').check()
        await lead.getByTestId('bulk-approve').click()
        await lead.getByTestId('bulk-submit').click()
        await poll('tests ready', async () => (await su('GET', `/api/collections/tests/records?perPage=200&filter=${encodeURIComponent(`campaign='${apt}'`)}`)).items.every((t) => t.state === 'ready' && t.red_assignee === ids.red_operator && t.blue_assignee === ids.blue_analyst))
        await lead.getByRole('cell', { name: 'Ready' }).first().waitFor()
        await shot(lead, 'loop-05-tests-bulk-approved')
      },
    ],
    [
      'the board scrolls per column, keeps long names inside cards and collapses a column',
      async () => {
        await lead.goto('/board')
        await lead.getByTestId('board-card').first().waitFor()
        await lead.getByRole('button', { name: 'Collapse Validated' }).click()
        await lead.getByRole('button', { name: 'Expand Validated' }).waitFor()
        const pageHeight = await lead.evaluate(() => document.documentElement.scrollHeight)
        expect(pageHeight < 1400, `the board stays within the window (${pageHeight}px)`)
        const overflow = await lead.evaluate(() => [...document.querySelectorAll('[data-testid=board-card]')].some((c) => c.scrollWidth > c.clientWidth + 1))
        expect(!overflow, 'a card overflows')
        await shot(lead, 'loop-06-board')
        expect(lead.errors.length === 0, `page errors: ${lead.errors.join('; ')}`)
      },
    ],
  ])
} catch (err) {
  console.log(`FAIL  set-up: ${err?.stack || err}`)
}
await finish(results, browser, server)
