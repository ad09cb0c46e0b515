// The blue analyst's story: an executed test nobody on blue was assigned to
// reaches every analyst as a notification and waits in the "waiting for
// blue" queue; the analyst opens it (the bell clears), records the outcome
// with notes (a detection time in the future is refused) and is shown as the
// test's analyst; the operator and the red lead hear of the outcome.
import { shot, runSteps, expect, finish } from '../harness.mjs'
import { setup, signIn, technique, poll } from '../loop-lib.mjs'

const { server, su, ids, browser } = await setup()
let results
try {
  const ps = await technique(su, 'T1059.001')
  const camp = await su('POST', '/api/collections/campaigns/records', { name: 'PowerShell abuse', status: 'active', round: 1 })
  const test = await su('POST', '/api/collections/tests/records', { name: 'Encoded PowerShell download cradle', technique: ps.id, campaign: camp.id, platform: 'windows', state: 'draft', revision: 0, revealed: true, procedure: 'Run `powershell -enc …` as a standard user.' })
  let rev = 0
  for (const step of [{ action: 'approve', red_assignee: ids.red_operator }, { action: 'start' }, { action: 'submit', red_result: 'executed', executed_at: new Date(Date.now() - 20 * 60_000).toISOString(), red_notes: 'Ran at 10:02 on WS-0142' }])
    rev = (await su('POST', `/api/aegis/tests/${test.id}/transition`, { ...step, revision: rev })).revision
  const analyst = await signIn(browser, server.base, 'blue_analyst')

  results = await runSteps([
    [
      'the analyst is notified and finds the test in the waiting-for-blue queue',
      async () => {
        await analyst.getByTestId('bell-count').waitFor()
        await analyst.goto('/tests?view=waiting')
        await analyst.getByRole('heading', { name: 'Waiting for blue' }).waitFor()
        await analyst.getByRole('row', { name: /Encoded PowerShell download cradle/ }).waitFor()
        await shot(analyst, 'loop-20-waiting-for-blue')
      },
    ],
    [
      'opening the notification reads it and clears the bell',
      async () => {
        await analyst.goto('/notifications')
        await analyst.getByRole('link', { name: /waits for blue/ }).click()
        await analyst.getByRole('heading', { name: 'Encoded PowerShell download cradle' }).waitFor()
        await poll('the bell to clear', async () => (await analyst.getByTestId('bell-count').count()) === 0)
      },
    ],
    [
      'a detection time in the future is refused; the outcome is recorded with notes',
      async () => {
        await analyst.getByRole('button', { name: 'Record outcome' }).click()
        const d = analyst.getByRole('dialog')
        await d.getByLabel('Prevention').selectOption('not_blocked')
        await d.getByLabel('Detection').selectOption('technique')
        const future = new Date(Date.now() + 3 * 3600_000)
        const p = (n) => String(n).padStart(2, '0')
        const local = (x) => `${x.getFullYear()}-${p(x.getMonth() + 1)}-${p(x.getDate())}T${p(x.getHours())}:${p(x.getMinutes())}`
        await d.getByLabel('Detected at').fill(local(future))
        await d.getByLabel('Notes').fill('Defender for Endpoint alert "Suspicious PowerShell command line" fired 2 min after execution.')
        await d.getByRole('button', { name: 'Record outcome' }).click()
        await d.getByText('The detection time is in the future').waitFor()
        // The server refuses it too, whatever the client checks.
        const t0 = await su('GET', `/api/collections/tests/records/${test.id}`)
        const r = await fetch(`${server.base}/api/aegis/tests/${test.id}/transition`, { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: await analyst.evaluate(() => JSON.parse(localStorage.getItem('pocketbase_auth') || '{}').token) }, body: JSON.stringify({ action: 'record', revision: t0.revision, prevention: 'blocked', detection: 'technique', detected_at: future.toISOString() }) })
        expect(r.status === 400 && (await r.text()).includes('in the future'), `server answered ${r.status}`)
        await d.getByLabel('Detected at').fill(local(new Date(Date.now() - 10 * 60_000)))
        await shot(analyst, 'loop-21-record-dialog')
        await d.getByRole('button', { name: 'Record outcome' }).click()
        await analyst.getByText('Validated').first().waitFor()
      },
    ],
    [
      'the analyst is shown as the test’s analyst with the notes; red hears of the outcome',
      async () => {
        const blue = analyst.locator('.card', { hasText: 'Analyst' })
        await blue.getByText('Ben Analyst').waitFor()
        await blue.getByText('Suspicious PowerShell command line', { exact: false }).waitFor()
        const t = await su('GET', `/api/collections/tests/records/${test.id}`)
        expect(t.blue_assignee === ids.blue_analyst && t.blue_notes.includes('Defender'), `stored: ${t.blue_assignee} ${t.blue_notes}`)
        for (const role of ['red_operator', 'red_lead']) {
          const n = await su('GET', `/api/collections/notifications/records?filter=${encodeURIComponent(`user='${ids[role]}' && kind='outcome_recorded'`)}`)
          expect(n.items.length === 1, `${role} notified of the outcome`)
        }
        await shot(analyst, 'loop-22-recorded-analyst-shown')
        expect(analyst.errors.length === 0, `page errors: ${analyst.errors.join('; ')}`)
      },
    ],
  ])
} catch (err) {
  console.log(`FAIL  set-up: ${err?.stack || err}`)
}
await finish(results, browser, server)
