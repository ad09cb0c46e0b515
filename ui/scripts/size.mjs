// Measures the initial JavaScript a browser downloads for the SPA (the
// module scripts and modulepreloads that dist/index.html names), gzipped,
// and fails when it exceeds the budget of DESIGN §10. Runs after every
// build and in `make test-ui` against the committed dist.
import { readFileSync, readdirSync } from 'node:fs'
import { gzipSync } from 'node:zlib'
import { join } from 'node:path'

const BUDGET_KB = 350
const dist = new URL('../dist/', import.meta.url).pathname
const html = readFileSync(join(dist, 'index.html'), 'utf8')
const initial = new Set()
for (const m of html.matchAll(/<script[^>]+type="module"[^>]+src="\/([^"]+)"/g)) initial.add(m[1])
for (const m of html.matchAll(/<link[^>]+rel="modulepreload"[^>]+href="\/([^"]+)"/g)) initial.add(m[1])
if (initial.size === 0) {
  console.error('size: dist/index.html names no module script; is dist built?')
  process.exit(1)
}
const gz = (f) => gzipSync(readFileSync(join(dist, f)), { level: 9 }).length
let total = 0
for (const f of initial) total += gz(f)
let lazy = 0
for (const f of readdirSync(join(dist, 'assets'))) if (f.endsWith('.js') && !initial.has(`assets/${f}`)) lazy += gz(`assets/${f}`)
const kb = (n) => (n / 1024).toFixed(1)
console.log(`initial JS: ${kb(total)} KB gzipped in ${initial.size} file(s) (budget ${BUDGET_KB} KB); lazy pages: ${kb(lazy)} KB`)
if (total > BUDGET_KB * 1024) {
  console.error(`size: initial JS exceeds the ${BUDGET_KB} KB budget`)
  process.exit(1)
}
