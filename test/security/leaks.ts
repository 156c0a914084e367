// Checks for things that must not leak: secrets in logs, personal data in public answers.
import type { Test } from 'tap'
import { loggerOptions } from '../../src/app.ts'

/** A logger (the service's own options, at trace level unless told) whose lines are kept for inspection. */
export function capturedLogs (level = 'trace') {
  const lines: string[] = []
  return {
    lines,
    logger: { ...loggerOptions(level), stream: { write: (line: string) => { lines.push(line) } } },
    /** The secrets (or any substring of 12+ characters of one) found in the log. */
    leaks (secrets: string[]): string[] {
      const log = lines.join('')
      return secrets.filter((s) => log.includes(s) || (s.length > 24 && log.includes(s.slice(-16))))
    },
  }
}

/** E-mail addresses in a text (a JSON answer, a page, a feed): also percent- or entity-encoded ones. */
export function emailsIn (text: string): string[] {
  let decoded = text.replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n))).replace(/&#x([0-9a-f]+);/gi, (_, n: string) => String.fromCharCode(parseInt(n, 16)))
  decoded = decoded.replace(/%40/gi, '@').replace(/\\u0040/gi, '@').replace(/&commat;/g, '@')
  return decoded.match(/[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g) ?? []
}

/**
 * Asserts a public answer carries no e-mail address (organisers' and participants' addresses are
 * never public). `allowed`: addresses that are meant to be public (an organisation's contact).
 */
export function assertNoEmails (t: Test, res: { body: string, headers?: Record<string, unknown> }, what: string, allowed: string[] = []): void {
  const found = emailsIn(res.body + JSON.stringify(res.headers ?? {})).filter((e) => !allowed.includes(e.toLowerCase()))
  t.same(found, [], `${what}: no e-mail address in a public answer`)
}
