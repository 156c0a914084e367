// Writes openapi/openapi.json from the code: `npm run openapi`. A test fails when the committed file drifts.
import { mkdirSync, writeFileSync } from 'node:fs'
import { openApiDocument } from '../test/helpers.ts'

mkdirSync('openapi', { recursive: true })
writeFileSync('openapi/openapi.json', await openApiDocument())
console.log('wrote openapi/openapi.json')
