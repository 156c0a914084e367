import { Type, type Static } from 'typebox'
import { Day, Instant, Nullable, Page, PageQuery, Uuid } from '../../lib/schemas.ts'
import { Sector } from '../organisations/organisations.schemas.ts'
import { REGISTRATION_STATUSES } from './registrations.table.ts'

export const RegistrationStatus = Type.Enum(REGISTRATION_STATUSES, {
  description: 'pending (waits for an organiser), confirmed (holds a place), waitlisted (waits for a place), cancelled, rejected',
})
const PersonName = Type.String({ minLength: 1, maxLength: 200, pattern: '\\S', description: "The person's name, as they write it" })
const Email = Type.String({ format: 'email', maxLength: 254, description: 'E-mail address; one registration per address per workshop (compared ignoring case)' })
const PersonTitle = Type.String({ minLength: 1, maxLength: 200, pattern: '\\S', description: 'Role or job title, such as "Programme officer"' })
const OrganisationName = Type.String({
  minLength: 1, maxLength: 300, pattern: '\\S',
  description: 'Name of the organisation the person comes from: matched to an existing one by name or acronym, else created with `sector`',
})
const SessionIds = Type.Array(Uuid('Session id'), {
  uniqueItems: true, maxItems: 100,
  description: 'Sessions the person chose: scheduled sessions of this workshop that do not overlap; one with its own capacity holds a seat',
})

export const Registration = Type.Object({
  id: Uuid('Registration id'),
  workshop_id: Uuid('Workshop id'),
  name: PersonName,
  email: Nullable(Email),
  title: Nullable(PersonTitle),
  organisation_id: Nullable(Uuid('Organisation the person comes from')),
  sector: Nullable(Sector),
  session_ids: SessionIds,
  status: RegistrationStatus,
  waitlist_position: Nullable(Type.Integer({ minimum: 1, description: 'Place on the waitlist (1 is next); null unless waitlisted' })),
  checked_in_days: Type.Array(Day('A day the person was checked in'), { description: 'Days of the workshop the person was checked in, in order' }),
  created_at: Instant('When the person registered'),
  updated_at: Instant('When the registration last changed'),
  cancelled_at: Nullable(Instant('When it was cancelled')),
  erased_at: Nullable(Instant("When the person's data was erased (name, e-mail and title are gone)")),
}, { description: "One person's place at one workshop" })

const details = {
  title: Type.Optional(Nullable(PersonTitle)),
  organisation_id: Type.Optional(Nullable(Uuid('An existing organisation the person comes from'))),
  organisation_name: Type.Optional(OrganisationName),
  sector: Type.Optional(Sector),
  session_ids: Type.Optional(SessionIds),
}

export const CreateRegistration = Type.Object({
  name: PersonName,
  email: Email,
  ...details,
}, { additionalProperties: false })

export const UpdateMyRegistration = Type.Object({
  name: Type.Optional(PersonName),
  email: Type.Optional(Email),
  ...details,
}, { additionalProperties: false })

export const UpdateRegistration = Type.Object({
  status: Type.Optional(Type.Enum(['confirmed', 'rejected', 'cancelled'] as const, {
    description: 'confirmed (approve; waitlisted when full), rejected or cancelled (frees the place for the waitlist)',
  })),
  name: Type.Optional(PersonName),
  email: Type.Optional(Email),
  ...details,
}, { additionalProperties: false })

export const RegistrationCreated = Type.Object({
  registration: Registration,
  manage_token: Type.String({ description: 'Opens /v1/registration (Authorization: Bearer); shown once, keep it' }),
  calendar_url: Type.String({ description: 'https address of the personal calendar feed; shown once' }),
  calendar_webcal_url: Type.String({ description: 'The same feed as a webcal:// link, which calendar apps subscribe to' }),
})

export const WorkshopRegistrationsParams = Type.Object({ workshopId: Uuid('Workshop id') })
export const RegistrationParams = Type.Object({ workshopId: Uuid('Workshop id'), registrationId: Uuid('Registration id') })

export const ListRegistrationsQuery = Type.Object({
  status: Type.Optional(RegistrationStatus),
  sector: Type.Optional(Sector),
  organisation_id: Type.Optional(Uuid('Only people from this organisation')),
  q: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'Text found in the name or e-mail' })),
  ...PageQuery,
})

export const RegistrationPage = Page(Registration, 'Registrations, in the order people registered')

export const CheckIn = Type.Object({
  day: Type.Optional(Day('Day of the workshop to check in on; default: today in the workshop\'s time zone')),
}, { additionalProperties: false })

export const ManageHeaders = Type.Object({
  authorization: Type.Optional(Type.String({ description: 'Bearer <manage_token> given when registering' })),
})

export type RegistrationView = Static<typeof Registration>
export type CreateRegistrationInput = Static<typeof CreateRegistration>
export type RegistrationCreatedView = Static<typeof RegistrationCreated>
export type UpdateMyRegistrationInput = Static<typeof UpdateMyRegistration>
export type UpdateRegistrationInput = Static<typeof UpdateRegistration>
export type ListRegistrationsInput = Static<typeof ListRegistrationsQuery>
