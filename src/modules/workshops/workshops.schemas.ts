import { Type, type Static } from 'typebox'
import { Day, Instant, LanguageCode, Localized, Nullable, Page, PageQuery, ShortLocalized, Uuid } from '../../lib/schemas.ts'
import { Organisation } from '../organisations/organisations.schemas.ts'
import { PARTNER_ROLES, WORKSHOP_STATUSES } from './workshops.table.ts'

const Slug = Type.String({ minLength: 1, maxLength: 100, pattern: '^[a-z0-9]+(-[a-z0-9]+)*$', description: 'URL name: lower-case letters, digits and single dashes' })
const TimeZone = Type.String({ minLength: 1, maxLength: 64, description: 'IANA time zone of the venue, such as Asia/Baghdad' })
const Capacity = Type.Integer({ minimum: 0, maximum: 1_000_000, description: 'Places in all; null: no limit' })
export const WorkshopStatus = Type.Enum(WORKSHOP_STATUSES, { description: 'draft (organisers only), published, cancelled' })
export const PartnerRole = Type.Enum(PARTNER_ROLES, { description: 'Role of the organisation in the workshop' })

export const Venue = Type.Object({
  name: ShortLocalized('Name of the venue'),
  city: Type.Optional(ShortLocalized('City')),
  country: Type.Optional(Type.String({ pattern: '^[A-Z]{2}$', description: 'ISO 3166-1 alpha-2 country code' })),
  address: Type.Optional(ShortLocalized('Street address')),
}, { additionalProperties: false, description: 'Where the workshop happens' })

export const Partner = Type.Object({
  organisation: Organisation,
  role: PartnerRole,
}, { description: 'An organisation with a role in the workshop' })

export const Workshop = Type.Object({
  id: Uuid('Workshop id'),
  slug: Slug,
  title: Localized('Title'),
  description: Nullable(Localized('Description')),
  timezone: TimeZone,
  start_date: Day('First day, local'),
  end_date: Day('Last day, local, inclusive'),
  days: Type.Array(Day('A day'), { description: 'Every day of the workshop, derived from start_date and end_date' }),
  venue: Nullable(Venue),
  default_language: LanguageCode,
  status: WorkshopStatus,
  capacity: Nullable(Capacity),
  registration_opens_at: Nullable(Instant('Registration opens')),
  registration_closes_at: Nullable(Instant('Registration closes')),
  requires_approval: Type.Boolean({ description: 'Registrations wait for an organiser (pending) before they are confirmed' }),
  partners: Type.Array(Partner, { description: 'Partner organisations and their roles' }),
  calendar_url: Type.String({ description: 'https address of the workshop calendar feed' }),
  calendar_webcal_url: Type.String({ description: 'The same feed as a webcal:// link, which calendar apps subscribe to' }),
  published_at: Nullable(Instant('When it was first published')),
  created_at: Instant('When it was created'),
  updated_at: Instant('When it last changed'),
}, { description: 'One event over one or more consecutive days, in one time zone, at one venue' })

const editable = {
  slug: Type.Optional(Slug),
  description: Type.Optional(Nullable(Localized('Description'))),
  venue: Type.Optional(Nullable(Venue)),
  default_language: Type.Optional(LanguageCode),
  capacity: Type.Optional(Nullable(Capacity)),
  registration_opens_at: Type.Optional(Nullable(Instant('Registration opens'))),
  registration_closes_at: Type.Optional(Nullable(Instant('Registration closes'))),
  requires_approval: Type.Optional(Type.Boolean({ description: 'Registrations wait for approval' })),
}

export const CreateWorkshop = Type.Object({
  title: Localized('Title'),
  timezone: TimeZone,
  start_date: Day('First day, local'),
  end_date: Day('Last day, local, inclusive'),
  ...editable,
}, { additionalProperties: false })

export const UpdateWorkshop = Type.Object({
  title: Type.Optional(Localized('Title')),
  timezone: Type.Optional(TimeZone),
  start_date: Type.Optional(Day('First day, local')),
  end_date: Type.Optional(Day('Last day, local, inclusive')),
  ...editable,
}, { additionalProperties: false })

export const WorkshopParams = Type.Object({ workshopId: Uuid('Workshop id') })
export const PartnerParams = Type.Object({ workshopId: Uuid('Workshop id'), organisationId: Uuid('Organisation id') })
export const SetPartner = Type.Object({ role: PartnerRole }, { additionalProperties: false })

export const ListWorkshopsQuery = Type.Object({
  status: Type.Optional(WorkshopStatus),
  from: Type.Optional(Day('Workshops that end on or after this day')),
  to: Type.Optional(Day('Workshops that start on or before this day')),
  ...PageQuery,
})

export const WorkshopPage = Page(Workshop, 'Workshops, by start date')

export type WorkshopView = Static<typeof Workshop>
export type CreateWorkshopInput = Static<typeof CreateWorkshop>
export type UpdateWorkshopInput = Static<typeof UpdateWorkshop>
