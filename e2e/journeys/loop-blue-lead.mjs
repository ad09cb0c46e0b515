// The blue lead's story: a custom Sigma rule written in the UI, checked by
// the importer's parser as it is typed (a broken rule and an unknown tag are
// explained, the technique tag is resolved), saved and enabled; a rule of
// another system recorded by name and technique; then the imported LSASS
// rules enabled in bulk from the list, which stay read-only otherwise.
import { shot, runSteps, expect, finish } from '../harness.mjs'
import { setup, signIn, technique, poll } from '../loop-lib.mjs'

const { server, su, browser } = await setup()
let results
const RULE = `title: LSASS memory read by an unusual process
id: 0b4c4e3a-8d8f-4b37-9d55-0b1f0d2a7c11
status: experimental
description: A process other than the usual suspects opened lsass.exe.
author: Bianca Bluelead
level: high
logsource:
    product: windows
    category: process_access
detection:
    selection:
        TargetImage|endswith: '\\lsass.exe'
    filter:
        SourceImage|endswith: '\\MsMpEng.exe'
    condition: selection and not filter
tags:
    - attack.credential_access
    - attack.t1003.001
`
try {
  const lsass = await technique(su, 'T1003.001')
  for (let i = 1; i <= 6; i++)
    await su('POST', '/api/collections/detection_rules/records', { source: 'sigma', source_rule_id: `imported-lsass-${i}`, title: `Imported LSASS access variant ${i}`, severity: 'high', status: 'test', techniques: [lsass.id], enabled: false, meta: { origin: 'sigma-rules.tar.gz' } })
  const lead = await signIn(browser, server.base, 'blue_lead')

  results = await runSteps([
    [
      'a Sigma rule is written in the UI, validated as it is typed, and saved enabled',
      async () => {
        await lead.goto('/rules')
        await lead.getByTestId('new-rule').click()
        const yaml = lead.getByTestId('sigma-yaml')
        await yaml.fill('title: half a rule\nid: abc\n')
        await lead.getByTestId('rule-check').getByText('no detection section').waitFor()
        expect(await lead.getByTestId('save-rule').isDisabled(), 'an invalid rule cannot be saved')
        await yaml.fill(RULE.replace('attack.t1003.001', 'attack.t1003.001\n    - attack.t9999'))
        await lead.getByTestId('rule-check').getByText('T9999 is not in the ATT&CK catalogue').waitFor()
        await yaml.fill(RULE)
        await lead.getByTestId('rule-check').getByText('T9999 is not in the ATT&CK catalogue').waitFor({ state: 'detached' })
        await lead.getByTestId('rule-check').getByText('Valid. Counts for T1003.001 LSASS Memory.').waitFor()
        await shot(lead, 'loop-30-sigma-editor')
        await lead.getByTestId('save-rule').click()
        await lead.getByRole('heading', { name: 'LSASS memory read by an unusual process' }).waitFor()
        const r = (await su('GET', `/api/collections/detection_rules/records?filter=${encodeURIComponent("source_rule_id='0b4c4e3a-8d8f-4b37-9d55-0b1f0d2a7c11'")}`)).items[0]
        expect(r && r.enabled && r.techniques.includes(lsass.id) && r.severity === 'high', `stored rule: ${JSON.stringify(r)}`)
        // A rule written in the UI is edited there too.
        await lead.getByTestId('edit-rule').click()
        await lead.getByTestId('sigma-yaml').fill(RULE.replace('level: high', 'level: critical'))
        await lead.getByTestId('rule-check').getByText('Valid. Counts for T1003.001 LSASS Memory.').waitFor()
        await lead.getByTestId('save-rule').click()
        await poll('severity critical', async () => (await su('GET', `/api/collections/detection_rules/records/${r.id}`)).severity === 'critical')
      },
    ],
    [
      'a rule of another system is recorded by name and technique',
      async () => {
        await lead.goto('/rules')
        await lead.getByTestId('new-rule').click()
        await lead.getByRole('tab', { name: 'Rule of another system' }).click()
        const d = lead.getByRole('dialog')
        await d.getByLabel('System', { exact: true }).selectOption('splunk')
        await d.getByLabel('Name', { exact: true }).fill('Splunk: comsvcs.dll MiniDump via rundll32')
        await d.getByTestId('technique-search').fill('LSASS')
        await d.getByTestId('technique-hit').filter({ hasText: 'T1003.001' }).click()
        await d.getByTestId('save-other-rule').click()
        await lead.getByRole('heading', { name: 'Splunk: comsvcs.dll MiniDump via rundll32' }).waitFor()
      },
    ],
    [
      'the imported LSASS rules are enabled in bulk and stay read-only otherwise',
      async () => {
        await lead.goto('/rules?technique=T1003.001&enabled=false')
        await lead.getByRole('row', { name: /Imported LSASS access variant 1/ }).waitFor()
        await lead.getByLabel('Select the rules of this page').check()
        await lead.getByTestId('bulk-enable').click()
        await lead.getByTestId('rules-bulk-bar').getByText('6 rule(s) enabled.').waitFor()
        await lead.goto('/rules?technique=T1003.001')
        await lead.getByRole('row', { name: /Imported LSASS access variant 6/ }).waitFor()
        await shot(lead, 'loop-31-rules-bulk-enabled')
        const all = await su('GET', `/api/collections/detection_rules/records?perPage=50&filter=${encodeURIComponent("source_rule_id~'imported-lsass'")}`)
        expect(all.items.length === 6 && all.items.every((r) => r.enabled), 'all six enabled')
        // One switched off again from the list.
        await lead.getByLabel('Enabled: Imported LSASS access variant 6').uncheck()
        await poll('variant 6 off', async () => !(await su('GET', `/api/collections/detection_rules/records/${all.items.find((r) => r.title.endsWith('6')).id}`)).enabled)
        // Imported rules refuse any other change.
        const token = await lead.evaluate(() => JSON.parse(localStorage.getItem('pocketbase_auth') || '{}').token)
        const res = await fetch(`${server.base}/api/collections/detection_rules/records/${all.items[0].id}`, { method: 'PATCH', headers: { 'Content-Type': 'application/json', Authorization: token }, body: JSON.stringify({ title: 'renamed' }) })
        expect(res.status === 400, `imported rule rename answered ${res.status}`)
        expect(lead.errors.length === 0, `page errors: ${lead.errors.join('; ')}`)
      },
    ],
  ])
} catch (err) {
  console.log(`FAIL  set-up: ${err?.stack || err}`)
}
await finish(results, browser, server)
