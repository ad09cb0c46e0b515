// The red operator's story: a test assigned to them waits on the board; they
// start it, read the procedure with its arguments filled in, copy the
// command, attach two evidence files with captions (a third, wrong one is
// deleted before submission) and submit with notes, output and the time.
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { tmpdir } from 'node:os'
import { shot, runSteps, expect, finish } from '../harness.mjs'
import { setup, signIn, technique, poll, templateProcedureText } from '../loop-lib.mjs'

const { server, su, ids, browser } = await setup()
const dir = mkdtempSync(join(tmpdir(), 'loop-op-'))
// A 1×1 PNG and a text log as evidence.
const png = join(dir, 'lsass-dump-alert.png')
writeFileSync(png, Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64'))
const log = join(dir, 'procdump-console.log')
writeFileSync(log, 'ProcDump v11.0 - Sysinternals process dump utility\n[10:02:11] Dump 1 initiated: C:\\Windows\\Temp\\lsass_dump.dmp\n[10:02:12] Dump 1 complete: 48 MB written in 0.9 seconds\n')
const wrong = join(dir, 'wrong-screenshot.txt')
writeFileSync(wrong, 'not this one\n')
let results
try {
  const lsass = await technique(su, 'T1003.001')
  const tpl = await su('POST', '/api/collections/test_templates/records', {
    source: 'atomic', source_id: '0be2230c-9ab3-4ac2-8826-3199b9a0ebf8', technique: lsass.id, technique_attack_id: 'T1003.001',
    name: 'Dump LSASS.exe Memory using ProcDump', description: 'The memory of **lsass.exe** is dumped for credential extraction.', platforms: ['windows'],
    executor: { name: 'command_prompt', command: '#{procdump_exe} -accepteula -ma lsass.exe #{output_file}', cleanup_command: 'del "#{output_file}" >nul 2> nul', elevation_required: true },
    input_arguments: { output_file: { description: 'Path where resulting dump should be placed', type: 'path', default: 'C:\\Windows\\Temp\\lsass_dump.dmp' }, procdump_exe: { description: 'Path of Procdump executable', type: 'path', default: 'PathToAtomicsFolder\\..\\ExternalPayloads\\procdump.exe' } },
    dependencies: { executor: 'powershell', items: [{ description: 'ProcDump tool from Sysinternals must exist on disk at specified location (#{procdump_exe})', prereq_command: 'if (Test-Path "#{procdump_exe}") {exit 0} else {exit 1}', get_prereq_command: 'Invoke-WebRequest "https://download.sysinternals.com/files/Procdump.zip" -OutFile "$env:TEMP\\Procdump.zip"' }] },
  })
  const camp = await su('POST', '/api/collections/campaigns/records', { name: 'Credential access sprint', status: 'active', round: 1 })
  const test = await su('POST', '/api/collections/tests/records', { name: 'Dump LSASS with ProcDump', technique: lsass.id, campaign: camp.id, template: tpl.id, platform: 'windows', state: 'draft', revision: 0, revealed: true, procedure: templateProcedureText(tpl) })
  await su('POST', `/api/aegis/tests/${test.id}/transition`, { action: 'approve', revision: 0, red_assignee: ids.red_operator })
  const op = await signIn(browser, server.base, 'red_operator')

  results = await runSteps([
    [
      'the operator is told of the assignment and starts the test from the board',
      async () => {
        await poll('bell count', async () => (await op.getByTestId('bell-count').count()) > 0)
        await op.goto('/board')
        const card = op.getByTestId('board-card').filter({ hasText: 'Dump LSASS with ProcDump' })
        await card.getByRole('button', { name: 'Start' }).click()
        await op.getByRole('region', { name: 'Executing' }).getByTestId('board-card').filter({ hasText: 'Dump LSASS with ProcDump' }).waitFor()
        // The server offers submit next, and nothing else to an operator.
        await op.getByRole('region', { name: 'Executing' }).getByRole('button', { name: 'Submit red result' }).waitFor()
        expect((await op.getByRole('region', { name: 'Executing' }).getByRole('button').filter({ hasText: /Cancel|Approve/ }).count()) === 0, 'no lead actions for an operator')
      },
    ],
    [
      'the procedure is rendered with its arguments filled, prerequisites and cleanup, and copies in one click',
      async () => {
        await op.goto(`/tests/${test.id}`)
        await op.getByTestId('arguments').waitFor()
        const cmd = await op.getByTestId('procedure-command').first().innerText()
        expect(cmd.includes('PathToAtomicsFolder\\..\\ExternalPayloads\\procdump.exe -accepteula -ma lsass.exe C:\\Windows\\Temp\\lsass_dump.dmp'), `filled command: ${cmd}`)
        expect(!(await op.getByTestId('markdown').innerText()).includes('**'), 'markdown rendered')
        await op.getByLabel('Value of output_file').fill('D:\\cases\\lsass.dmp')
        expect((await op.getByTestId('procedure-command').first().innerText()).includes('lsass.exe D:\\cases\\lsass.dmp'), 'a value replaces the default')
        await op.getByText('Prerequisites').waitFor()
        await op.getByText('Cleanup').first().waitFor()
        await op.context().grantPermissions(['clipboard-read', 'clipboard-write'])
        await op.getByTestId('copy').first().click()
        await op.getByText('Copied').waitFor()
        await shot(op, 'loop-10-procedure')
      },
    ],
    [
      'three files upload at once with progress, are captioned, and the wrong one is deleted before submission',
      async () => {
        await op.getByRole('tab', { name: /Evidence/ }).click()
        await op.getByTestId('evidence-input').setInputFiles([png, log, wrong])
        await poll('three evidence files', async () => (await op.getByTestId('evidence').count()) === 3)
        await op.getByLabel('Caption of lsass-dump-alert.png').fill('EDR console: LSASS access alert')
        await op.getByLabel('Caption of lsass-dump-alert.png').press('Enter')
        await op.getByLabel('Caption of procdump-console.log').fill('ProcDump console output')
        await op.getByLabel('Caption of procdump-console.log').press('Enter')
        await op.getByTestId('evidence-image').waitFor()
        await op.getByTestId('evidence-text').filter({ hasText: 'Dump 1 complete' }).waitFor()
        op.once('dialog', (d) => d.accept())
        await op.getByTestId('evidence').filter({ hasText: 'wrong-screenshot.txt' }).getByRole('button', { name: 'Delete' }).click()
        await poll('two evidence files', async () => (await op.getByTestId('evidence').count()) === 2)
        await poll('captions stored', async () => {
          const ev = await su('GET', `/api/collections/evidence/records?filter=${encodeURIComponent(`test='${test.id}'`)}`)
          return ev.items.some((e) => e.note === 'ProcDump console output') && ev.items.some((e) => e.note === 'EDR console: LSASS access alert')
        })
        await shot(op, 'loop-11-evidence')
      },
    ],
    [
      'the test is submitted with notes, command output and the execution time',
      async () => {
        await op.getByRole('button', { name: 'Submit red result' }).click()
        const d = op.getByRole('dialog')
        await d.getByLabel('Notes').fill('Ran elevated on WS-0142 as CORP\\svc-test; dump written, no block.')
        await d.getByLabel('Command output').fill('Dump 1 complete: 48 MB written in 0.9 seconds')
        await shot(op, 'loop-12-submit')
        await d.getByRole('button', { name: 'Submit red result' }).click()
        await op.getByText('Blue review').first().waitFor()
        const t = await su('GET', `/api/collections/tests/records/${test.id}`)
        expect(t.state === 'blue_review' && t.red_notes.includes('WS-0142') && t.executed_at, `stored: ${t.state} ${t.red_notes}`)
        const ev = await su('GET', `/api/collections/evidence/records?filter=${encodeURIComponent(`test='${test.id}'`)}`)
        expect(ev.items.length === 3 && ev.items.some((e) => e.filename === 'command-output.txt'), `evidence: ${ev.items.map((e) => e.filename)}`)
        expect((await op.getByTestId('evidence').filter({ hasText: 'wrong' }).count()) === 0, 'deleted stays deleted')
        expect(op.errors.length === 0, `page errors: ${op.errors.join('; ')}`)
      },
    ],
  ])
} catch (err) {
  console.log(`FAIL  set-up: ${err?.stack || err}`)
} finally {
  rmSync(dir, { recursive: true, force: true })
}
await finish(results, browser, server)
