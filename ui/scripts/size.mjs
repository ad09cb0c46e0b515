// Measures the initial JavaScript a browser downloads (the entry chunk and
// everything it imports statically), gzipped, and fails the build when it
// exceeds the budget of DESIGN §10.
import { readFileSync } from 'node:fs'
import { gzipSync } from 'node:zlib'
import { join } from 'node:path'

const BUDGET_KB = 350
const dist = new URL('../dist/', import.meta.url).pathname
const manifest = JSON.parse(readFileSync(join(dist, '.vite/manifest.json'), 'utf8'))

const entry = Object.values(manifest).find((c) => c.isEntry)
if (!entry) throw new Error('size: no entry chunk in the manifest')
const seen = new Set()
const walk = (key) => {
  const chunk = manifest[key] ?? entry
  if (seen.has(chunk.file)) return
  seen.add(chunk.file)
  for (const dep of chunk.imports ?? []) walk(dep)
}
walk(Object.keys(manifest).find((k) => manifest[k] === entry))

let total = 0
for (const file of seen) total += gzipSync(readFileSync(join(dist, file)), { level: 9 }).length
let lazy = 0
for (const c of Object.values(manifest)) {
  if (c.file.endsWith('.js') && !seen.has(c.file)) lazy += gzipSync(readFileSync(join(dist, c.file)), { level: 9 }).length
}
const kb = (n) => (n / 1024).toFixed(1)
console.log(`initial JS: ${kb(total)} KB gzipped in ${seen.size} file(s) (budget ${BUDGET_KB} KB); lazy pages: ${kb(lazy)} KB`)
if (total > BUDGET_KB * 1024) {
  console.error(`size: initial JS exceeds the ${BUDGET_KB} KB budget`)
  process.exit(1)
}

// The manifest is only for this measurement; keep it out of the embedded SPA.
import { rmSync } from 'node:fs'
rmSync(join(dist, '.vite'), { recursive: true, force: true })
