import { randomBytes } from 'node:crypto'
import { Api, RouteMissing, pool } from './api.ts'
import { freePort } from './ports.ts'
import { startCluster, type Cluster } from './postgres.ts'
import { startOnFreePort } from './processes.ts'
import { ROOT, serviceEnv, START_ARGS } from './service.ts'

/** The benchmark workshops are in Baghdad's time zone (+03:00 all year) in a future year. */
export const TIMEZONE = 'Asia/Baghdad'
export const OFFSET = '+03:00'
const FIRST_DAY = '2030-03-03'
/** Sessions start at these local times and last 60 minutes, so a session can move up to 29 minutes without overlapping. */
export const SLOT_MINUTES = [9 * 60, 10 * 60 + 30, 12 * 60, 13 * 60 + 30, 15 * 60]
export const SESSION_MINUTES = 60
/** Places of the workshop the registration scenario fills: a run registers more people than this. */
export const REGISTRATION_CAPACITY = 2000
/** Seats of each of the two sessions every registration of the seats scenario chooses. */
export const SESSION_SEATS = 1000
const KINDS = ['plenary', 'panel', 'working_group', 'keynote', 'break', 'other'] as const

export interface SessionRef {
  id: string
  day: string
  /** Minutes after local midnight. */
  startMinute: number
  roomId: string | null
  /** A prefix of its English title unique in the workshop (`Session 7:`). */
  title: string
}

export interface SeededWorkshop {
  id: string
  /** Sessions created, or why none could be. */
  sessions: SessionRef[]
  missing?: string
}

export interface Seed {
  organisationId: string
  small: SeededWorkshop
  big: SeededWorkshop
  registrations: { id: string }
  /** A workshop whose registrations each choose its two sessions with seats of their own. */
  seats: { id: string, sessionIds: string[] }
}

export function addDays (day: string, n: number): string {
  const d = new Date(`${day}T00:00:00Z`)
  d.setUTCDate(d.getUTCDate() + n)
  return d.toISOString().slice(0, 10)
}

const pad = (n: number) => String(n).padStart(2, '0')
/** RFC 3339 with the workshop's offset: `2030-03-03T09:00:00+03:00`. */
export function instant (day: string, minute: number): string {
  return `${day}T${pad(Math.floor(minute / 60))}:${pad(minute % 60)}:00${OFFSET}`
}

async function createWorkshop (api: Api, label: string, days: number, organisationId: string, capacity: number | null = null): Promise<string> {
  const suffix = randomBytes(3).toString('hex')
  const reply = await api.expect('createWorkshop', [201], 'POST', '/v1/workshops', {
    body: {
      title: { en: `Benchmark workshop: ${label}`, ar: `ورشة القياس: ${label}` },
      slug: `bench-${label}-${suffix}`,
      description: { en: 'A workshop made by the benchmark harness.', ar: 'ورشة أنشأها برنامج القياس.' },
      timezone: TIMEZONE,
      start_date: FIRST_DAY,
      end_date: addDays(FIRST_DAY, days - 1),
      venue: { name: { en: 'Conference centre', ar: 'مركز المؤتمرات' }, city: { en: 'Baghdad', ar: 'بغداد' }, country: 'IQ' },
      default_language: 'en',
      capacity,
      requires_approval: false,
    },
  })
  const id = reply.body.id as string
  await api.expect('setWorkshopPartner', [200, 201], 'PUT', `/v1/workshops/${id}/partners/${organisationId}`, { body: { role: 'host' } })
  return id
}

async function publish (api: Api, id: string): Promise<void> {
  await api.expect('publishWorkshop', [200], 'POST', `/v1/workshops/${id}/publish`)
}

/**
 * Rooms, one speaker per room, and `days x rooms x SLOT_MINUTES.length` sessions, none overlapping
 * (each room's sessions are its speaker's). Stops at the first route that does not exist yet.
 */
async function timetable (api: Api, workshopId: string, days: number, rooms: number, organisationId: string): Promise<SeededWorkshop> {
  try {
    const roomIds = await pool(Array.from({ length: rooms }, (_, i) => i), 8, async (i) => {
      const reply = await api.expect('createRoom', [201], 'POST', `/v1/workshops/${workshopId}/rooms`, {
        body: { name: { en: `Room ${i + 1}`, ar: `القاعة ${i + 1}` }, capacity: 40 + i },
      })
      return reply.body.id as string
    })
    let speakerIds: (string | null)[] = roomIds.map(() => null)
    try {
      speakerIds = await pool(roomIds, 8, async (_, i) => {
        const reply = await api.expect('createSpeaker', [201], 'POST', `/v1/workshops/${workshopId}/speakers`, {
          body: { name: `Speaker ${i + 1}`, title: { en: 'Resident Representative', ar: 'الممثل المقيم' }, organisation_id: organisationId },
        })
        return reply.body.id as string
      })
    } catch (err) {
      if (!(err instanceof RouteMissing)) throw err
    }
    const specs: Omit<SessionRef, 'id' | 'title'>[] = []
    for (let d = 0; d < days; d++) {
      for (const startMinute of SLOT_MINUTES) {
        for (const roomId of roomIds) specs.push({ day: addDays(FIRST_DAY, d), startMinute, roomId })
      }
    }
    const sessions = await pool(specs, 8, async (spec, i) => {
      const r = roomIds.indexOf(spec.roomId!)
      const speaker = speakerIds[r]
      const reply = await api.expect('createSession', [201], 'POST', `/v1/workshops/${workshopId}/sessions`, {
        body: {
          title: { en: `Session ${i + 1}: planning for reintegration`, ar: `الجلسة ${i + 1}: التخطيط لإعادة الإدماج` },
          description: { en: 'Working through the plan, one chapter at a time, with the partners.', ar: 'مناقشة الخطة فصلاً فصلاً مع الشركاء.' },
          kind: KINDS[i % KINDS.length],
          starts_at: instant(spec.day, spec.startMinute),
          ends_at: instant(spec.day, spec.startMinute + SESSION_MINUTES),
          room_id: spec.roomId,
          ...(speaker ? { speaker_ids: [speaker] } : {}),
          language: i % 2 === 0 ? 'ar' : 'en',
        },
      })
      return { ...spec, id: reply.body.id as string, title: `Session ${i + 1}:` }
    })
    return { id: workshopId, sessions }
  } catch (err) {
    if (err instanceof RouteMissing) return { id: workshopId, sessions: [], missing: err.operation }
    throw err
  }
}

/** Two working groups, one each day, with SESSION_SEATS seats each; none when createSession is missing. */
async function seatedSessions (api: Api, workshopId: string): Promise<string[]> {
  try {
    return await pool([0, 1], 2, async (d) => {
      const day = addDays(FIRST_DAY, d)
      const reply = await api.expect('createSession', [201], 'POST', `/v1/workshops/${workshopId}/sessions`, {
        body: {
          title: { en: `Working group ${d + 1}`, ar: `مجموعة العمل ${d + 1}` },
          kind: 'working_group',
          starts_at: instant(day, SLOT_MINUTES[0]),
          ends_at: instant(day, SLOT_MINUTES[0] + SESSION_MINUTES),
          capacity: SESSION_SEATS,
        },
      })
      return reply.body.id as string
    })
  } catch (err) {
    if (err instanceof RouteMissing) return []
    throw err
  }
}

/** Everything the scenarios read: a 60-session workshop, a 1,000-session one, and two to register to. */
export async function seed (api: Api): Promise<Seed> {
  const org = await api.expect('createOrganisation', [201], 'POST', '/v1/organisations', {
    body: { name: { en: 'United Nations Development Programme', ar: 'برنامج الأمم المتحدة الإنمائي' }, acronym: 'UNDP', sector: 'un_agency', country: 'IQ' },
  })
  const organisationId = org.body.id as string
  const smallId = await createWorkshop(api, 'agenda-60', 3, organisationId)
  const bigId = await createWorkshop(api, 'feed-1000', 10, organisationId)
  // Limited places, so that every registration takes the workshop's lock and decides a place (confirmed
  // while places last, waitlisted after), as under pretix's quota locking.
  const regId = await createWorkshop(api, 'registrations', 2, organisationId, REGISTRATION_CAPACITY)
  // The same, and every registration chooses two sessions with seats of their own: each decision
  // also reads the seats taken in both.
  const seatsId = await createWorkshop(api, 'registrations-seats', 2, organisationId, REGISTRATION_CAPACITY)
  const small = await timetable(api, smallId, 3, 4, organisationId) // 3 days x 4 rooms x 5 slots = 60
  const big = await timetable(api, bigId, 10, 20, organisationId) // 10 days x 20 rooms x 5 slots = 1,000
  const seatSessions = await seatedSessions(api, seatsId)
  for (const id of [smallId, bigId, regId, seatsId]) await publish(api, id)
  return { organisationId, small, big, registrations: { id: regId }, seats: { id: seatsId, sessionIds: seatSessions } }
}

/**
 * A throwaway cluster with one database of the bench's data, made through the API by the built
 * service (started for that and stopped), then analysed: what the by-hand tools measure against.
 */
export async function seededCluster (database: string, adminToken: string): Promise<{ cluster: Cluster, databaseUrl: string, data: Seed }> {
  const cluster = await startCluster()
  const databaseUrl = await cluster.createDatabase(database)
  const seeder = await startOnFreePort(freePort, (port) => ({
    name: 'seeder', command: process.execPath, args: START_ARGS, cwd: ROOT, env: serviceEnv(databaseUrl, port, adminToken), port, readyPath: '/readyz',
  }))
  const data = await seed(new Api(seeder.baseUrl, adminToken))
  await seeder.stop()
  await cluster.vacuumAnalyze(database)
  return { cluster, databaseUrl, data }
}
