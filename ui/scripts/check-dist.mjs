// Fails when the committed ui/dist is not what the sources build to, so a
// UI change cannot land without its rebuilt, embedded bundle.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'

const root = new URL('..', import.meta.url).pathname
const out = mkdtempSync(join(tmpdir(), 'aegis-dist-'))
const list = (dir) =>
  readdirSync(dir).flatMap((f) => {
    const p = join(dir, f)
    return statSync(p).isDirectory() ? list(p) : [p]
  })
try {
  execFileSync(join(root, 'node_modules/.bin/vite'), ['build', '--outDir', out, '--emptyOutDir', '--logLevel', 'error'], { cwd: root, stdio: 'inherit' })
  const want = new Map(list(out).map((p) => [relative(out, p), readFileSync(p)]))
  const have = new Map(list(join(root, 'dist')).map((p) => [relative(join(root, 'dist'), p), readFileSync(p)]))
  const problems = []
  for (const [f, b] of want) if (!have.has(f)) problems.push(`missing ${f}`)
    else if (!have.get(f).equals(b)) problems.push(`differs ${f}`)
  for (const f of have.keys()) if (!want.has(f)) problems.push(`stale ${f}`)
  if (problems.length) {
    console.error(`ui/dist is out of date (run "make ui" and commit ui/dist):\n  ${problems.join('\n  ')}`)
    process.exit(1)
  }
  console.log(`ui/dist matches the sources (${want.size} files)`)
} finally {
  rmSync(out, { recursive: true, force: true })
}
