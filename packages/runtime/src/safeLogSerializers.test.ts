import { Writable } from 'node:stream'
import Fastify from 'fastify'
import { describe, expect, it } from 'vitest'
import { safeLogSerializers } from './safeLogSerializers.ts'

describe('safeLogSerializers', () => {
  it('logs the path of a request, never its query string or headers', async () => {
    const lines: string[] = []
    const stream = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk))
        done()
      },
    })
    const app = Fastify({ logger: { level: 'info', stream, serializers: safeLogSerializers } })
    app.get('/cb', async () => 'ok')
    const response = await app.inject({
      url: '/cb?code=secret-code&state=secret-state',
      headers: { authorization: 'Bearer secret-token', cookie: 'session=secret-cookie' },
    })
    await app.close()
    expect(response.statusCode).toBe(200)
    const log = lines.join('')
    expect(log).toContain('"url":"/cb"')
    expect(log).not.toMatch(/secret/)
  })
})
