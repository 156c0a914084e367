// Bundles the service into one file, dist/bundle/server.mjs (or the path given), which `npm start`
// runs. Loading ~1,500 small modules (TypeBox alone is 700) took about half of the time from start
// to ready; one file loads in a fraction of it. esbuild compiles the TypeScript (tsc type-checks it
// in `npm run build` before). Left outside the bundle: packages that read files of their own at run
// time (PGlite's WebAssembly, swagger-ui's pages, pino-pretty's worker).
// The bundle must sit two folders below the project (dist/<name>/): it finds migrations/ from there.
import { build } from 'esbuild'

const outfile = process.argv[2] ?? 'dist/bundle/server.mjs'
await build({
  entryPoints: ['src/server.ts'],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // Readable stack traces with NODE_OPTIONS=--enable-source-maps (off by default: it slows the start).
  sourcemap: 'linked',
  external: ['@electric-sql/pglite', '@fastify/swagger-ui', 'pino-pretty'],
  // CommonJS packages inside an ES module bundle still call require() for Node's own modules.
  banner: { js: "import { createRequire as nadwaCreateRequire } from 'node:module'; const require = nadwaCreateRequire(import.meta.url);" },
  logLevel: 'warning',
})
