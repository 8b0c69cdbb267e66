/**
 * The yardstick for the demo's `GET /userinfo`: Fastify alone, with the demo's logger settings at
 * the level `npm start` gives it (`warn`), answering the same JSON body without any check, in a
 * process of its own (`run.ts` starts it).
 *
 * Env: PORT, BODY (the JSON to answer). Reports `ready` to the parent once it listens.
 */
import { reportReady, safeLogSerializers } from '@passkey-id/runtime'
import Fastify from 'fastify'

const body: unknown = JSON.parse(String(process.env.BODY))
const app = Fastify({ logger: { level: 'warn', serializers: safeLogSerializers } })
app.get('/userinfo', async () => body)
await app.listen({ port: Number(process.env.PORT), host: 'localhost' })
reportReady()
process.on('SIGTERM', () => app.close().finally(() => process.exit(0)))
