import { Type, type Static } from 'typebox'
import { Nullable, PageQuery, Page, ShortLocalized, Uuid, Instant } from '../../lib/schemas.ts'
import { SECTORS } from './organisations.table.ts'

export const Sector = Type.Enum(SECTORS, { description: 'Kind of organisation' })
const Acronym = Type.String({ minLength: 1, maxLength: 50, pattern: '\\S', description: 'Short name, such as UNDP' })
const Country = Type.String({ pattern: '^[A-Z]{2}$', description: 'ISO 3166-1 alpha-2 country code, such as IQ' })
const Website = Type.String({ format: 'uri', pattern: '^https?://', maxLength: 2000, description: 'http(s) address of its website' })

export const Organisation = Type.Object({
  id: Uuid('Organisation id'),
  name: ShortLocalized('Name'),
  acronym: Nullable(Acronym),
  sector: Sector,
  country: Nullable(Country),
  website: Nullable(Website),
  created_at: Instant('When it was created'),
  updated_at: Instant('When it last changed'),
}, { description: 'A body that takes part: partner of a workshop or employer of a participant' })

export const CreateOrganisation = Type.Object({
  name: ShortLocalized('Name'),
  acronym: Type.Optional(Nullable(Acronym)),
  sector: Sector,
  country: Type.Optional(Nullable(Country)),
  website: Type.Optional(Nullable(Website)),
}, { additionalProperties: false })

export const UpdateOrganisation = Type.Object({
  name: Type.Optional(ShortLocalized('Name')),
  acronym: Type.Optional(Nullable(Acronym)),
  sector: Type.Optional(Sector),
  country: Type.Optional(Nullable(Country)),
  website: Type.Optional(Nullable(Website)),
}, { additionalProperties: false })

export const OrganisationParams = Type.Object({ organisationId: Uuid('Organisation id') })

export const ListOrganisationsQuery = Type.Object({
  sector: Type.Optional(Sector),
  q: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'Text found in the name (either language) or acronym' })),
  ...PageQuery,
})

export const OrganisationPage = Page(Organisation, 'Organisations, by name')

export type OrganisationView = Static<typeof Organisation>
export type CreateOrganisationInput = Static<typeof CreateOrganisation>
export type UpdateOrganisationInput = Static<typeof UpdateOrganisation>
