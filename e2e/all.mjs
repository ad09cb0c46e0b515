// Runs every browser-test file in turn (run.mjs, more.mjs, then each
// journeys/*.mjs in name order), each against its own fresh server, and
// prints one closing "N passed, N failed" line over all of them.
// `node all.mjs journeys/vectr.mjs` runs only the files named.
import { spawn } from 'node:child_process'
import { readdirSync, existsSync } from 'node:fs'
import { join } from 'node:path'

const HERE = new URL('.', import.meta.url).pathname
const journeys = existsSync(join(HERE, 'journeys'))
  ? readdirSync(join(HERE, 'journeys')).filter((f) => f.endsWith('.mjs')).sort().map((f) => `journeys/${f}`)
  : []
const files = process.argv.length > 2 ? process.argv.slice(2) : ['run.mjs', 'more.mjs', ...journeys]

const total = { passed: 0, failed: 0, skipped: 0 }
let exitFailed = false
for (const file of files) {
  console.log(`== ${file}`)
  const out = await new Promise((ok) => {
    let text = ''
    const p = spawn(process.execPath, [join(HERE, file)], { stdio: ['ignore', 'pipe', 'inherit'] })
    p.stdout.on('data', (d) => {
      text += d
      process.stdout.write(d)
    })
    p.on('exit', (code) => ok({ text, code }))
  })
  const m = out.text.match(/^(\d+) passed, (\d+) failed(?:, (\d+) skipped)?\s*$/m)
  if (m) {
    // The file's own closing line is replaced by the total below.
    total.passed += Number(m[1])
    total.failed += Number(m[2])
    total.skipped += Number(m[3] || 0)
  } else {
    total.failed++
    console.log(`FAIL  ${file} ended without a result line (exit ${out.code})`)
  }
  if (out.code !== 0) exitFailed = true
}
console.log(`e2e: ${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`)
process.exit(exitFailed || total.failed ? 1 : 0)
