import { get } from 'node:http'

/** A small JSON client for the service's HTTP API (organiser calls carry the admin token). */
export interface Reply<T = any> {
  status: number
  /** Milliseconds from request to the whole body. */
  ms: number
  headers: Headers
  body: T
  text: string
}

export class RouteMissing extends Error {
  override name = 'RouteMissing'
  constructor (readonly operation: string) { super(`route missing: ${operation}`) }
}

export class Api {
  constructor (readonly baseUrl: string, private readonly token: string) {}

  async call<T = any> (method: string, path: string, options: { body?: unknown, headers?: Record<string, string>, auth?: boolean } = {}): Promise<Reply<T>> {
    const headers: Record<string, string> = { ...options.headers }
    if (options.auth !== false) headers.authorization = `Bearer ${this.token}`
    if (options.body !== undefined) headers['content-type'] = 'application/json'
    const t0 = performance.now()
    const res = await fetch(this.baseUrl + path, { method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) })
    const text = await res.text()
    let body: any = text
    if ((res.headers.get('content-type') ?? '').includes('json') && text !== '') body = JSON.parse(text)
    return { status: res.status, ms: performance.now() - t0, headers: res.headers, body, text }
  }

  /** A call that must answer one of `ok`; a 404 from the router (no such route) throws RouteMissing. */
  async expect<T = any> (operation: string, ok: number[], method: string, path: string, options: Parameters<Api['call']>[2] = {}): Promise<Reply<T>> {
    const reply = await this.call<T>(method, path, options)
    if (isRouteMissing(reply)) throw new RouteMissing(operation)
    if (!ok.includes(reply.status)) {
      throw new Error(`${operation} ${method} ${path}: ${reply.status} ${reply.text.slice(0, 500)}`)
    }
    return reply
  }
}

/** The service's not-found handler answers `No route METHOD /path` when no route matches. */
export function isRouteMissing (reply: { status: number, body: any }): boolean {
  return reply.status === 404 && typeof reply.body === 'object' && reply.body !== null &&
    typeof reply.body.detail === 'string' && reply.body.detail.startsWith('No route')
}

/** Runs `work` over `items` with at most `limit` in flight; results in input order. */
export async function pool<I, O> (items: I[], limit: number, work: (item: I, index: number) => Promise<O>): Promise<O[]> {
  const results = new Array<O>(items.length)
  let next = 0
  const worker = async () => {
    while (next < items.length) {
      const i = next++
      results[i] = await work(items[i], i)
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
  return results
}

/**
 * How each route's compressed row asks: the agenda as a browser does (Chrome and Firefox send this
 * Accept-Encoding; the service answers brotli once it is made), a feed as the plainest calendar app
 * does (gzip alone).
 */
export const BROWSER = { header: 'gzip, deflate, br, zstd', coding: 'br' } as const
export const CALENDAR_APP = { header: 'gzip', coding: 'gzip' } as const
export type Asks = typeof BROWSER | typeof CALENDAR_APP

/** An answer as it came over the wire: its status, header lines and bytes, not decoded. */
export interface RawAnswer { status: number, headers: Record<string, string>, body: Buffer }

/**
 * A GET answered as it came over the wire (fetch undoes a compressed coding, and these are the bytes
 * bare Fastify must send to stand in for the service).
 */
export function rawGet (url: string, headers: Record<string, string> = {}): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    get(url, { headers }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('end', () => {
        const lines: Record<string, string> = {}
        for (const [name, value] of Object.entries(res.headers)) if (typeof value === 'string') lines[name] = value
        resolve({ status: res.statusCode ?? 0, headers: lines, body: Buffer.concat(chunks) })
      })
      res.on('error', reject)
    }).on('error', reject)
  })
}
