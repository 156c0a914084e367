// Helpers of the timetable tests: rooms, speakers and sessions through the API.
import { json, orgHeaders } from '../helpers.ts'
import type { App } from '../../src/lib/module.ts'

export const post = (app: App, url: string, payload: unknown, headers: Record<string, string> = orgHeaders) =>
  app.inject({ method: 'POST', url, headers, payload: payload as object })
export const patch = (app: App, url: string, payload: unknown, headers: Record<string, string> = {}) =>
  app.inject({ method: 'PATCH', url, headers: { ...orgHeaders, ...headers }, payload: payload as object })

export async function created (res: { statusCode: number, body: string }) {
  if (res.statusCode !== 201) throw new Error(`expected 201: ${res.statusCode} ${res.body}`)
  return json(res)
}
export const addRoom = async (app: App, w: string, name = 'Hall A', capacity: number | null = 100) =>
  created(await post(app, `/v1/workshops/${w}/rooms`, { name: { en: name }, capacity }))
export const addSpeaker = async (app: App, w: string, body: Record<string, unknown> = {}) =>
  created(await post(app, `/v1/workshops/${w}/speakers`, { name: 'Auke Lootsma', ...body }))
export const sessionBody = (overrides: Record<string, unknown> = {}) => ({
  title: { en: 'Opening plenary', ar: 'الجلسة الافتتاحية' }, kind: 'plenary',
  starts_at: '2023-02-05T09:00:00+03:00', ends_at: '2023-02-05T10:30:00+03:00', ...overrides,
})
export const addSession = async (app: App, w: string, overrides: Record<string, unknown> = {}) =>
  created(await post(app, `/v1/workshops/${w}/sessions`, sessionBody(overrides)))

