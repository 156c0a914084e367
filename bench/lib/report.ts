import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

export type Result = 'pass' | 'fail' | 'n/a' | 'info'

export interface Row {
  scenario: string
  /** The absolute figure (req/s, tps, MB, ms) and its unit. */
  value?: number
  unit: string
  p50?: number
  p99?: number
  /** The baseline's figure, measured just before, in the same run. */
  baseline?: number
  baselineLabel?: string
  ratio?: number
  /** What an answer cost: CPU per answer of the service and of its baseline, SQL statements per answer (bench/lib/costs.ts). */
  cost?: string
  target: string
  result: Result
  note?: string
}

const fmt = (n: number | undefined, digits = 0) =>
  n === undefined || !Number.isFinite(n) ? '' : n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })
const ms = (n: number | undefined) => (n === undefined || !Number.isFinite(n) ? '' : `${fmt(n, n < 10 ? 1 : 0)} ms`)

const COLUMNS = ['scenario', 'figure', 'p50', 'p99', 'baseline', 'ratio', 'per answer', 'target', 'result'] as const

function cells (r: Row): string[] {
  const result = r.result + (r.note ? ` (${r.note})` : '')
  return [
    r.scenario,
    r.value === undefined ? '' : `${fmt(r.value, r.unit === 'req/s' || r.unit === 'tps' ? 0 : r.value < 10 ? 2 : 0)} ${r.unit}`,
    ms(r.p50),
    ms(r.p99),
    r.baseline === undefined ? '' : `${fmt(r.baseline)} ${r.baselineLabel ?? ''}`.trim(),
    r.ratio === undefined ? '' : fmt(r.ratio, 2),
    r.cost ?? '',
    r.target,
    result,
  ]
}

/** A table of figures for a terminal: the first column (names) aligned left, the others (numbers) right. */
export function figuresTable (header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)))
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ')
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n')
}

export function textTable (rows: Row[]): string {
  const table = [COLUMNS.slice() as string[], ...rows.map(cells)]
  const widths = COLUMNS.map((_, i) => Math.max(...table.map((row) => row[i].length)))
  const line = (row: string[]) => row.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd()
  return [line(table[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...table.slice(1).map(line)].join('\n')
}

export function markdownTable (rows: Row[]): string {
  const esc = (c: string) => c.replaceAll('|', '\\|')
  return [`| ${COLUMNS.join(' | ')} |`, `| ${COLUMNS.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${cells(r).map(esc).join(' | ')} |`)].join('\n')
}

/** bench/results/<stamp>.json and .md, plus latest.md (the folder is git-ignored). */
export function writeResults (dir: string, machine: Record<string, unknown>, rows: Row[]): string {
  mkdirSync(dir, { recursive: true })
  const stamp = new Date().toISOString().replace(/[:.]/g, '-')
  writeFileSync(join(dir, `${stamp}.json`), JSON.stringify({ machine, rows }, null, 2) + '\n')
  const md = `# Nadwa benchmarks, ${new Date().toISOString()}\n\n${Object.entries(machine).map(([k, v]) => `- ${k}: ${v}`).join('\n')}\n\n${markdownTable(rows)}\n`
  writeFileSync(join(dir, `${stamp}.md`), md)
  writeFileSync(join(dir, 'latest.md'), md)
  return join(dir, `${stamp}.md`)
}
