import t from 'tap'
import { buildTestApp, createOrganisation, createWorkshop, json } from '../helpers.ts'
import { addRoom, addSession, addSpeaker } from './timetable.fixtures.ts'

// The reference workshop of /work/shared/seed: three days in Asia/Baghdad, laid out through the API
// and read back day by day in local time. The release gives no timetable: this one is invented around it.
t.test('the three-day Baghdad workshop, laid out and read back', async (t) => {
  const { app } = await buildTestApp(t)
  const w = await createWorkshop(app, { title: { en: 'Strategic planning for reintegration in Iraq', ar: 'التخطيط الاستراتيجي لإعادة الإدماج في العراق' } }, true)
  const undp = await createOrganisation(app, { name: { en: 'United Nations Development Programme' }, acronym: 'UNDP', sector: 'un_agency' })
  const pmo = await createOrganisation(app, { name: { en: 'Office of the Prime Minister' }, sector: 'government' })
  const onsa = await createOrganisation(app, { name: { en: 'Office of the National Security Advisor' }, sector: 'government' })
  const momd = await createOrganisation(app, { name: { en: 'Ministry of Migration and Displaced' }, sector: 'government' })

  const plenary = await addRoom(app, w.id, 'Plenary hall', 120)
  const groupA = await addRoom(app, w.id, 'Working room A', 30)
  const groupB = await addRoom(app, w.id, 'Working room B', 30)
  const speakers = [
    await addSpeaker(app, w.id, { name: 'Auke Lootsma', title: { en: 'Resident Representative in Iraq' }, organisation_id: undp.id }),
    await addSpeaker(app, w.id, { name: 'Zaidan Khalaf Obaid', title: { en: 'Advisor to the Prime Minister for Human Rights' }, organisation_id: pmo.id }),
    await addSpeaker(app, w.id, { name: 'Dr. Mohammed Taher Al-Tamimi', title: { en: 'Director General for Government Follow-up and Coordination' }, organisation_id: onsa.id }),
    await addSpeaker(app, w.id, { name: 'Ali Abbas Jahangir', title: { en: 'Director General of Branches' }, organisation_id: momd.id }),
  ]
  const [auke, zaidan, tamimi, ali] = speakers.map((s) => s.id)
  const at = (day: number, from: string, to: string) => ({ starts_at: `2023-02-0${4 + day}T${from}:00+03:00`, ends_at: `2023-02-0${4 + day}T${to}:00+03:00` })

  const plan: Array<[number, string, string, string, string, string | null, string[]]> = [
    [1, '09:00', '10:30', 'plenary', 'Opening plenary', plenary.id, [auke, zaidan, tamimi, ali]],
    [1, '10:30', '11:00', 'break', 'Coffee break', null, []],
    [1, '11:00', '12:30', 'panel', 'International frameworks and practice', plenary.id, [auke]],
    [1, '13:30', '15:00', 'working_group', 'Community acceptance', groupA.id, [zaidan]],
    [1, '13:30', '15:00', 'working_group', 'Returns from al-Hol', groupB.id, [ali]],
    [2, '09:00', '10:30', 'panel', 'Psychosocial rehabilitation', plenary.id, [tamimi, ali]],
    [2, '11:00', '12:30', 'working_group', 'Coordination between partners', groupA.id, [tamimi]],
    [2, '11:00', '12:30', 'working_group', 'Livelihoods and local government', groupB.id, []],
    [3, '09:00', '11:00', 'working_group', 'Towards a national plan', plenary.id, [zaidan]],
    [3, '11:30', '12:30', 'plenary', 'Closing session', plenary.id, [auke, zaidan]],
  ]
  for (const [day, from, to, kind, title, room, ids] of plan) {
    await addSession(app, w.id, { ...at(day, from, to), kind, title: { en: title }, room_id: room, speaker_ids: ids })
  }

  const agenda = json(await app.inject(`/v1/workshops/${w.id}/agenda`))
  t.same(agenda.days.map((d: any) => d.date), ['2023-02-05', '2023-02-06', '2023-02-07'])
  const lines = (i: number) => agenda.days[i].sessions.map((s: any) => `${s.local_start}-${s.local_end} ${s.title.en}`)
  // Sessions at the same time come in a stable order (by id); compare those as sets.
  t.same(lines(0).slice(0, 3), ['09:00-10:30 Opening plenary', '10:30-11:00 Coffee break', '11:00-12:30 International frameworks and practice'])
  t.same(lines(0).slice(3).sort(), ['13:30-15:00 Community acceptance', '13:30-15:00 Returns from al-Hol'])
  t.same(lines(1)[0], '09:00-10:30 Psychosocial rehabilitation')
  t.same(lines(1).slice(1).sort(), ['11:00-12:30 Coordination between partners', '11:00-12:30 Livelihoods and local government'])
  t.same(lines(2), ['09:00-11:00 Towards a national plan', '11:30-12:30 Closing session'])
  t.same(agenda.days.map((d: any) => d.sessions.length), [5, 3, 2])
  const opening = agenda.days[0].sessions[0]
  t.same(opening.speakers.map((s: any) => s.name), ['Auke Lootsma', 'Zaidan Khalaf Obaid', 'Dr. Mohammed Taher Al-Tamimi', 'Ali Abbas Jahangir'], 'the four speakers, in order')
  t.equal(opening.room.name.en, 'Plenary hall')
  t.equal(opening.starts_at, '2023-02-05T09:00:00.000+03:00')
  for (const day of agenda.days) {
    const starts = day.sessions.map((s: any) => s.starts_at)
    t.same(starts, [...starts].sort(), `${day.date} in local start order`)
  }
  const day2 = json(await app.inject(`/v1/workshops/${w.id}/sessions?day=2023-02-06`))
  t.same(day2.items.map((s: any) => s.title.en).sort(), ['Coordination between partners', 'Livelihoods and local government', 'Psychosocial rehabilitation'])
})
