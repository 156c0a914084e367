// Every table of the service, one file per domain module; drizzle-kit reads this file.
export * from '../modules/tokens/tokens.table.ts'
export * from '../modules/organisations/organisations.table.ts'
export * from '../modules/workshops/workshops.table.ts'
export * from '../modules/timetable/timetable.table.ts'
export * from '../modules/registrations/registrations.table.ts'
export * from '../modules/summaries/summaries.table.ts'
