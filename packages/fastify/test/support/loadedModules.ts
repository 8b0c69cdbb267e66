/**
 * Run as a child process by `databaseDriver.test.ts`, so that the modules it sees loaded are the
 * plugin's alone: `node --import tsx loadedModules.ts <off|own-store|database> <databaseUrl>`.
 * Registers the plugin with sessions off, with a store of the app's own, or with the database
 * store, and prints as JSON which database modules (the store package, Kysely) and SQLite drivers
 * (better-sqlite3, node:sqlite) were loaded. The store's secret box, which seals the tokens of every
 * session store, is no database module.
 */
import { registerHooks } from 'node:module'

const loaded: string[] = []
// Sees every module loaded from here on, by import or require; builtins are in moduleLoadList.
registerHooks({
  load(url, context, nextLoad) {
    loaded.push(url)
    return nextLoad(url, context)
  },
})

const { default: Fastify } = await import('fastify')
const { passkeyId } = await import('../../src/index.ts')
type SessionStore = import('../../src/index.ts').SessionStore
type ApiSession = import('../../src/index.ts').ApiSession

const [mode, databaseUrl = ''] = process.argv.slice(2)

/** A store of the app's own, in memory: all the plugin needs from one. */
function memoryStore(): SessionStore {
  const sessions = new Map<string, ApiSession>()
  const live = (sub: string) => [...sessions.values()].filter((session) => session.sub === sub)
  return {
    create: async (session) => void sessions.set(session.id, session),
    find: async (id) => sessions.get(id),
    delete: async (id) => void sessions.delete(id),
    listBySubject: async (sub) => live(sub),
    deleteBySubject: async (sub) => {
      const ended = live(sub)
      for (const session of ended) sessions.delete(session.id)
      return ended.length
    },
    cookieSecret: async () => 'a-cookie-secret-of-at-least-32-characters',
    close: async () => {},
  }
}

const app = Fastify()
await app.register(passkeyId, {
  issuer: 'http://localhost:9',
  appUrl: 'http://localhost:8000',
  docs: false,
  sessions:
    mode === 'database' ? { databaseUrl } : mode === 'own-store' ? { store: memoryStore() } : false,
})
app.get('/me', { onRequest: app.authenticate }, async (request) => request.user?.sub)
await app.ready()
const status = (await app.inject({ url: '/me' })).statusCode
await app.close()

// Node lists the built-in modules it has loaded here (@types/node does not declare it).
const builtinsLoaded = (process as NodeJS.Process & { moduleLoadList: string[] }).moduleLoadList
process.stdout.write(
  JSON.stringify({
    status,
    // The store's secret box (node:crypto alone) seals session tokens whichever store keeps them.
    database: loaded.filter((url) =>
      /\/packages\/store\/(?!src\/secretBox\.ts$)|\/node_modules\/kysely\//.test(url),
    ),
    drivers: [
      ...loaded.filter((url) => url.includes('/node_modules/better-sqlite3/')),
      ...builtinsLoaded.filter((name) => /^NativeModule (node:)?sqlite$/.test(name)),
    ],
  }),
)
