import { readFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { describe, expect, it } from 'vitest'
import { freePort } from './freePort.ts'

describe('freePort', () => {
  it('picks a port below the ephemeral range that a server can then listen on', async () => {
    const ephemeralStart = Number(
      readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').split(/\s+/)[0],
    )
    const ports = await Promise.all(Array.from({ length: 20 }, () => freePort()))
    for (const port of ports) {
      expect(port).toBeGreaterThanOrEqual(10_000)
      expect(port).toBeLessThan(ephemeralStart)
    }
    const server = createServer()
    await new Promise<void>((resolve) => server.listen(ports[0], 'localhost', resolve))
    expect(server.address()).toMatchObject({ port: ports[0] })
    await new Promise((resolve) => server.close(resolve))
  })
})
