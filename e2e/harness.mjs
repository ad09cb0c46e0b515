// Test harness for the browser tests: starts bin/aegis on a temporary data
// dir and a free loopback port, drives Debian's chromium with playwright-core,
// and reports "N passed, N failed" for CI.
import { spawn, execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, existsSync, mkdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import net from 'node:net'
import { chromium } from 'playwright-core'

export const ROOT = resolve(new URL('..', import.meta.url).pathname)
export const BIN = join(ROOT, 'bin', 'aegis')
export const SHOTS = join(ROOT, 'docs', 'screenshots')
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium'
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync']

function freePort() {
  return new Promise((ok, fail) => {
    const s = net.createServer()
    s.once('error', fail)
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address()
      s.close(() => ok(port))
    })
  })
}

export async function startServer() {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run "make build" first (make e2e does)`)
  const dir = mkdtempSync(join(tmpdir(), 'aegis-e2e-'))
  const port = await freePort()
  const base = `http://127.0.0.1:${port}`
  const su = { email: 'root@e2e.aegis.local', password: 'e2e-superuser-Pa55' }
  execFileSync(BIN, ['superuser', 'upsert', su.email, su.password, '--dir', dir], { stdio: 'pipe' })
  const proc = spawn(BIN, ['serve', '--http', `127.0.0.1:${port}`, '--dir', dir], { stdio: ['ignore', 'pipe', 'pipe'] })
  let log = ''
  proc.stdout.on('data', (d) => (log += d))
  proc.stderr.on('data', (d) => (log += d))
  const deadline = Date.now() + 30_000
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`aegis serve exited early (${proc.exitCode}):\n${log}`)
    try {
      const r = await fetch(`${base}/api/health`)
      if (r.ok) break
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) throw new Error(`aegis serve did not become healthy in 30 s:\n${log}`)
    await new Promise((r) => setTimeout(r, 150))
  }
  const stop = async () => {
    proc.kill('SIGTERM')
    await new Promise((r) => {
      const t = setTimeout(() => (proc.kill('SIGKILL'), r()), 5000)
      proc.once('exit', () => (clearTimeout(t), r()))
    })
    rmSync(dir, { recursive: true, force: true })
  }
  return { base, dir, su, stop, log: () => log }
}

/** superuserClient calls the REST API as the break-glass superuser (rules do not apply). */
export async function superuserClient(base, su) {
  const r = await fetch(`${base}/api/collections/_superusers/auth-with-password`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ identity: su.email, password: su.password }),
  })
  if (!r.ok) throw new Error(`superuser login: ${r.status} ${await r.text()}`)
  const { token } = await r.json()
  return async (method, path, body) => {
    const res = await fetch(base + path, {
      method,
      headers: { Authorization: token, ...(body ? { 'Content-Type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    })
    const text = await res.text()
    const json = text ? JSON.parse(text) : null
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`)
    return json
  }
}

export async function launch() {
  return chromium.launch({ executablePath: CHROMIUM, args: FLAGS })
}

export async function newPage(browser, base) {
  const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 }, baseURL: base })
  const page = await ctx.newPage()
  page.setDefaultTimeout(15_000)
  const errors = []
  page.on('pageerror', (e) => errors.push(e.message))
  page.errors = errors
  return page
}

export async function shot(page, name) {
  mkdirSync(SHOTS, { recursive: true })
  await page.waitForTimeout(250) // let transitions settle
  await page.screenshot({ path: join(SHOTS, `${name}.png`) })
}

export class Skip extends Error {}

/** run executes named steps in order; a failed step fails, later steps still run. */
export async function runSteps(steps) {
  const results = { passed: 0, failed: 0, skipped: 0 }
  for (const [name, fn] of steps) {
    const t0 = Date.now()
    try {
      await fn()
      results.passed++
      console.log(`ok    ${name} (${Date.now() - t0} ms)`)
    } catch (err) {
      if (err instanceof Skip) {
        results.skipped++
        console.log(`skip  ${name}: ${err.message}`)
      } else {
        results.failed++
        console.log(`FAIL  ${name} (${Date.now() - t0} ms)\n      ${String(err?.stack || err).split('\n').slice(0, 6).join('\n      ')}`)
      }
    }
  }
  return results
}

/**
 * signInPage signs who in on an open page through the login form; code, when
 * given, returns the authenticator code asked next. It waits for the app.
 */
export async function signInPage(page, who, code) {
  await page.goto('/')
  await page.getByLabel('Email').fill(who.email)
  await page.getByLabel('Password').fill(who.password)
  await page.getByRole('button', { name: 'Sign in' }).click()
  if (code) {
    await page.getByLabel('Authenticator code').fill(code())
    await page.getByRole('button', { name: 'Verify' }).click()
  }
  await page.locator('.sidebar').waitFor()
}

/**
 * finish closes the browser and the server, prints the tally every test file
 * ends with and exits non-zero when a step failed (or none ran: results is
 * undefined when the set-up threw before the steps).
 */
export async function finish(results, browser, server) {
  await browser.close().catch(() => {})
  await server.stop()
  const r = results ?? { passed: 0, failed: 1, skipped: 0 }
  console.log(`${r.passed} passed, ${r.failed} failed, ${r.skipped} skipped`)
  process.exit(r.failed ? 1 : 0)
}

export function expect(cond, msg) {
  if (!cond) throw new Error(msg)
}
