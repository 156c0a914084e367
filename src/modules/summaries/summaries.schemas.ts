import { Type, type Static } from 'typebox'
import { Day, Instant, Localized, Nullable, Page, PageQuery, ShortLocalized, Uuid } from '../../lib/schemas.ts'
import { SECTORS } from '../organisations/organisations.table.ts'

const PersonName = Type.String({ minLength: 1, maxLength: 200, pattern: '\\S', description: "A person's name, plain text" })

export const Dateline = Type.Object({
  place: ShortLocalized('Where the news comes from, such as "Baghdad, Iraq"'),
  date: Day('Date of the release'),
}, { additionalProperties: false, description: 'Place and date at the head of the release' })

export const QuoteInput = Type.Object({
  speaker_id: Type.Optional(Uuid('A speaker of this workshop: name, title and organisation come from the speaker')),
  name: Type.Optional(PersonName),
  title: Type.Optional(ShortLocalized('Role of the person quoted (only without speaker_id)')),
  organisation: Type.Optional(ShortLocalized('Organisation of the person quoted (only without speaker_id)')),
  text: Localized('What the person said'),
}, { additionalProperties: false, description: 'A quote: of a speaker (`speaker_id`) or of a person given inline (`name`, `title`, `organisation`)' })

export const Quote = Type.Object({
  speaker_id: Nullable(Uuid('The speaker quoted; null for a person given inline')),
  name: Type.String({ description: "The person's name" }),
  title: Nullable(ShortLocalized('Role of the person')),
  organisation: Nullable(ShortLocalized('Organisation of the person')),
  text: Localized('What the person said'),
}, { description: 'A quote, with the person resolved' })

export const Contact = Type.Object({
  name: PersonName,
  title: Type.Optional(Nullable(ShortLocalized('Role, such as "Communications and Outreach Officer"'))),
  email: Type.Optional(Nullable(Type.String({ format: 'email', maxLength: 320, description: 'E-mail address' }))),
  phone: Type.Optional(Nullable(Type.String({ minLength: 3, maxLength: 40, pattern: '^\\+?[0-9][0-9 ().-]*[0-9]$', description: 'Phone number as printed, such as +964 790 110 1982' }))),
}, { additionalProperties: false, description: 'A media contact' })

const Count = (description: string) => Type.Integer({ minimum: 0, description })

export const Figures = Type.Object({
  registrations: Type.Object({
    confirmed: Count('Confirmed registrations'),
    waitlisted: Count('Registrations on the waitlist'),
    pending: Count('Registrations awaiting approval'),
    cancelled: Count('Cancelled registrations'),
    rejected: Count('Rejected registrations'),
  }, { description: 'Registrations by status' }),
  attendees: Count('People checked in on at least one day'),
  attendance_per_day: Type.Array(Type.Object({
    date: Day('A day of the workshop'),
    count: Count('People checked in on that day'),
  }), { description: 'Check-ins on every day of the workshop, zeros included' }),
  attendees_by_sector: Type.Record(Type.String(), Count('Attendees of that sector'), { description: `Attendees by the sector of their organisation (${SECTORS.join(', ')})` }),
  attendees_by_organisation: Type.Array(Type.Object({
    organisation_id: Uuid('Organisation id'),
    name: ShortLocalized('Name of the organisation'),
    count: Count('Attendees from it'),
  }), { description: 'Attendees by organisation, most first' }),
  sessions: Type.Object({
    held: Count('Sessions held (breaks not counted)'),
    cancelled: Count('Sessions cancelled (breaks not counted)'),
  }, { description: 'Sessions of the timetable' }),
  speakers: Count('Speakers of the workshop'),
  partners: Count('Partner organisations'),
}, { description: 'Figures computed from the data when the summary was last published; never typed in' })

const editable = {
  headline: ShortLocalized('Headline'),
  lead: Type.Optional(Nullable(Localized('Lead paragraph'))),
  body: Type.Optional(Nullable(Localized('Body, in Markdown'))),
  dateline: Type.Optional(Nullable(Dateline)),
  outcomes: Type.Optional(Type.Array(Localized('An outcome'), { maxItems: 50, description: 'Outcomes of the workshop' })),
  quotes: Type.Optional(Type.Array(QuoteInput, { maxItems: 50, description: 'Quotes, in order' })),
  contacts: Type.Optional(Type.Array(Contact, { maxItems: 20, description: 'Media contacts' })),
}

export const PutSummary = Type.Object({
  ...editable,
  figures: Type.Optional(Type.Unknown({ description: 'Ignored: figures are computed from the data at publication, never typed in' })),
}, { additionalProperties: false, description: 'The editable fields of a summary; a full replace (fields left out are cleared)' })

export const Summary = Type.Object({
  workshop_id: Uuid('The workshop summarised'),
  slug: Type.String({ description: 'URL name of the summary page, derived from the workshop slug' }),
  headline: ShortLocalized('Headline'),
  lead: Nullable(Localized('Lead paragraph')),
  body: Nullable(Localized('Body, in Markdown')),
  dateline: Nullable(Dateline),
  outcomes: Type.Array(Localized('An outcome'), { description: 'Outcomes of the workshop' }),
  quotes: Type.Array(Quote, { description: 'Quotes, in order' }),
  contacts: Type.Array(Type.Object({
    name: Type.String({ description: "The contact's name" }),
    title: Nullable(ShortLocalized('Role')),
    email: Nullable(Type.String({ description: 'E-mail address' })),
    phone: Nullable(Type.String({ description: 'Phone number' })),
  }, { description: 'A media contact' }), { description: 'Media contacts' }),
  status: Type.Enum(['draft', 'published'], { description: 'draft (organisers only) or published' }),
  figures: Nullable(Figures),
  published_at: Nullable(Instant('When it was first published')),
  created_at: Instant('When it was created'),
  updated_at: Instant('When it last changed (a new publication counts)'),
  page_url: Type.String({ description: 'Address of the public HTML page' }),
}, { description: 'The post-event publication of a workshop' })

export const SummaryParams = Type.Object({ workshopId: Uuid('Workshop id') })
export const SummaryPageParams = Type.Object({ slug: Type.String({ minLength: 1, maxLength: 200, description: 'Slug of the summary' }) })
export const SummaryPageQuery = Type.Object({ lang: Type.Optional(Type.String({ maxLength: 35, description: 'Language of the page: ar or en (otherwise Accept-Language, then the workshop default)' })) })
export const ListSummariesQuery = Type.Object({ ...PageQuery })
export const SummaryPage = Page(Summary, 'Published summaries, newest first')

export type SummaryView = Static<typeof Summary>
export type FiguresView = Static<typeof Figures>
export type PutSummaryInput = Static<typeof PutSummary>
