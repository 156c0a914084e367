// `npm run screenshots`: seeds a fresh embedded database, serves it on 127.0.0.1, and has headless Chromium
// (Debian's `chromium`) take screenshots of the Arabic and English summary pages into scratch/screenshots/
// (git-ignored). Fails when Chromium reports a console message (a CSP violation, a script error) or the DOM
// lacks what the page must show.
import { spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildApp } from '../src/app.ts'
import { loadConfig } from '../src/config.ts'
import { openDatabase } from '../src/db/client.ts'
import { runSeed } from '../src/seed/cli.ts'

const PORT = Number(process.env.SCREENSHOT_PORT ?? 41301)
const CHROMIUM = process.env.CHROMIUM ?? 'chromium'
const OUT = 'scratch/screenshots'
const base = `http://127.0.0.1:${PORT}`
const dataDir = mkdtempSync(join(tmpdir(), 'nadwa-shots-'))
const env = { DATA_DIR: dataDir, PUBLIC_URL: base, LOG_LEVEL: 'silent' }

function chromium (args: string[]): Promise<{ code: number | null, stdout: string, stderr: string }> {
  const profile = mkdtempSync(join(tmpdir(), 'nadwa-chromium-'))
  const flags = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', `--user-data-dir=${profile}`, '--enable-logging=stderr', '--v=0', '--hide-scrollbars']
  return new Promise((resolve) => {
    const child = spawn(CHROMIUM, [...flags, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => { stdout += d })
    child.stderr.on('data', (d) => { stderr += d })
    child.on('close', (code) => { rmSync(profile, { recursive: true, force: true }); resolve({ code, stdout, stderr }) })
  })
}

let failures = 0
const fail = (message: string) => { failures += 1; console.error(`FAIL ${message}`) }

await runSeed(env, { out: () => {}, err: (l) => console.error(`seed: ${l}`) })
const config = loadConfig(env)
const database = await openDatabase({ dataDir })
const app = await buildApp({ config, database })
await app.listen({ host: '127.0.0.1', port: PORT })
mkdirSync(OUT, { recursive: true })
try {
  for (const lang of ['ar', 'en']) {
    const url = `${base}/summaries/baghdad-reintegration-workshop-2023?lang=${lang}`
    const file = join(OUT, `summary-${lang}.png`)
    const shot = await chromium(['--window-size=1100,4200', `--screenshot=${file}`, url])
    const dom = await chromium(['--dump-dom', url])
    for (const run of [shot, dom]) {
      if (run.code !== 0) fail(`${lang}: chromium exited with ${run.code}`)
      for (const line of run.stderr.split('\n')) {
        if (/CONSOLE|Content Security Policy|Refused to|Uncaught/i.test(line)) fail(`${lang}: ${line.trim()}`)
      }
    }
    if (!dom.stdout.includes(`<html lang="${lang}" dir="${lang === 'ar' ? 'rtl' : 'ltr'}">`)) fail(`${lang}: lang/dir missing`)
    if (/<script/i.test(dom.stdout)) fail(`${lang}: a script element`)
    if (!dom.stdout.includes('<svg')) fail(`${lang}: no chart`)
    console.log(`${file}  (${url})`)
  }
} finally {
  await app.close()
  await database.close()
  rmSync(dataDir, { recursive: true, force: true })
}
if (failures) {
  console.error(`${failures} problem(s)`)
  process.exitCode = 1
}
