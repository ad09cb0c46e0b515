// The admin's story: a Sigma folder on the server added as a source with a
// schedule (read aloud), its connection tested, synced now, and the result
// read as a sentence; a URL source with a token that is never shown again,
// edited and deleted.
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { tmpdir } from 'node:os'
import { shot, runSteps, expect, finish } from '../harness.mjs'
import { setup, signIn, poll } from '../loop-lib.mjs'

const { server, su, browser } = await setup()
const dir = mkdtempSync(join(tmpdir(), 'loop-sigma-'))
mkdirSync(join(dir, 'rules'))
const rule = (id, title, tags, level) =>
  ['title: ' + title, 'id: ' + id, 'status: test', 'logsource:', '    product: windows', '    category: process_creation', 'detection:', '    selection:', "        CommandLine|contains: '-enc'", '    condition: selection', 'level: ' + level, 'tags:', ...tags.map((t) => '    - ' + t), ''].join('\n')
writeFileSync(join(dir, 'rules', 'encoded_powershell.yml'), rule('5b0c8e0a-1f3e-4d6b-9a51-1c2d3e4f5a60', 'Encoded PowerShell command line', ['attack.execution', 'attack.t1059.001'], 'high'))
writeFileSync(join(dir, 'rules', 'lsass_dump.yml'), rule('7d2ea02c-3b50-4f8d-9c73-3e4f5a6b7c82', 'LSASS memory access', ['attack.credential_access', 'attack.t1003.001', 'attack.t9999'], 'critical'))
writeFileSync(join(dir, 'rules', 'cmd_shell.yml'), rule('6c1d9f1b-2a4f-4e7c-8b62-2d3e4f5a6b71', 'Windows command shell spawned by Office', ['attack.execution', 'attack.t1059.003'], 'medium'))
let results
try {
  const admin = await signIn(browser, server.base, 'admin')
  const row = (name) => admin.getByRole('table', { name: 'Integrations' }).getByRole('row', { name })

  results = await runSteps([
    [
      'a Sigma folder source is added with a schedule, tested and saved',
      async () => {
        await admin.goto('/integrations')
        await admin.getByTestId('add-source').click()
        const d = admin.getByRole('dialog')
        await d.getByLabel('What it imports').selectOption('sigma')
        await d.getByLabel('Name').fill('Sigma rules (shared folder)')
        await d.getByLabel('Where it is').selectOption('path')
        await d.getByLabel('Path').fill(join(dir, 'nope'))
        await d.getByTestId('test-connection').click()
        await d.getByTestId('probe-result').filter({ hasText: 'Could not read the source' }).waitFor()
        await d.getByLabel('Path').fill(dir)
        await d.getByLabel('Schedule (UTC)').fill('30 2 * * *')
        await d.getByText('At 02:30 UTC every day').waitFor()
        await d.getByTestId('test-connection').click()
        await d.getByTestId('probe-result').filter({ hasText: 'Reached' }).waitFor()
        expect((await d.getByTestId('probe-result').innerText()).includes('.yml'), 'names the first file')
        await shot(admin, 'loop-40-integration-form')
        await d.getByTestId('save-integration').click()
        await row(/Sigma rules \(shared folder\)/).waitFor()
        await row(/Sigma rules \(shared folder\)/).getByText('At 02:30 UTC every day').waitFor()
      },
    ],
    [
      'the source is synced now and the result reads as a sentence',
      async () => {
        await row(/Sigma rules \(shared folder\)/).getByRole('button', { name: 'Sync now' }).click()
        await admin.locator('[data-testid=run-progress][data-status=succeeded], [data-testid=run-progress][data-status=failed]').waitFor({ timeout: 60_000 })
        const progress = admin.getByTestId('run-progress')
        expect((await progress.getAttribute('data-status')) === 'succeeded', `sync: ${await progress.innerText()}`)
        const summary = await progress.getByTestId('run-summary').innerText()
        expect(/3 rules: 3 new, 1 skipped — from 3 files\./.test(summary), `summary: ${summary}`)
        expect(summary.includes('not in the ATT&CK catalogue'), 'why one was skipped')
        expect(!summary.includes('{'), 'no raw JSON')
        await poll('the source shows its last sync', async () => (await row(/Sigma rules \(shared folder\)/).innerText()).includes('3 rules'))
        await admin.evaluate(() => window.scrollTo(0, 0))
        await shot(admin, 'loop-41-integration-synced')
        const rules = await su('GET', '/api/collections/detection_rules/records?perPage=10')
        expect(rules.items.length === 3, `${rules.items.length} rules imported`)
      },
    ],
    [
      'a URL source keeps its token write-only, is edited and deleted',
      async () => {
        await admin.getByTestId('add-source').click()
        const d = admin.getByRole('dialog')
        await d.getByLabel('What it imports').selectOption('elastic')
        await d.getByLabel('Name').fill('Elastic rules mirror')
        await d.getByLabel('Where it is').selectOption('url')
        await d.getByLabel('URL').fill('https://rules.example.invalid/elastic.tar.gz')
        await d.getByLabel('Bearer token').fill('very-secret-token-123')
        await d.getByLabel('Enabled: the schedule runs it').uncheck()
        await d.getByTestId('save-integration').click()
        const r = row(/Elastic rules mirror/)
        await r.getByText('token stored').waitFor()
        const list = await su('GET', '/api/collections/integrations/records')
        expect(!JSON.stringify(list).includes('very-secret-token-123'), 'the token is never answered')
        await r.getByRole('button', { name: 'Edit' }).click()
        expect((await d.getByLabel('Bearer token').getAttribute('placeholder')).includes('stored'), 'the form says a token is stored')
        expect((await d.getByLabel('Bearer token').inputValue()) === '', 'and does not show it')
        await d.getByLabel('Schedule (UTC)').fill('@weekly')
        await d.getByTestId('save-integration').click()
        await r.getByText('At 00:00 UTC on Sunday').waitFor()
        admin.once('dialog', (x) => x.accept())
        await r.getByRole('button', { name: 'Delete' }).click()
        await poll('the source to go', async () => (await row(/Elastic rules mirror/).count()) === 0)
        expect(admin.errors.length === 0, `page errors: ${admin.errors.join('; ')}`)
      },
    ],
  ])
} catch (err) {
  console.log(`FAIL  set-up: ${err?.stack || err}`)
} finally {
  rmSync(dir, { recursive: true, force: true })
}
await finish(results, browser, server)
