import type { FastifyRequest } from 'fastify'
import { describe, expect, it } from 'vitest'
import { clientKey } from './clientKey.ts'

/** A request as Fastify gives it: `ip` read through TRUST_PROXY, the socket's own peer. */
function request(ip: string, peer = '10.0.0.9'): FastifyRequest {
  return { ip, socket: { remoteAddress: peer } } as unknown as FastifyRequest
}

describe('clientKey', () => {
  it('counts IPv4 by address, IPv4-mapped IPv6 as IPv4, IPv6 by its /64', () => {
    expect(clientKey(request('203.0.113.7'))).toBe('203.0.113.7')
    expect(clientKey(request('::ffff:203.0.113.7'))).toBe('203.0.113.7')
    expect(clientKey(request('2001:db8:1:2:aaaa::1'))).toBe(
      clientKey(request('2001:db8:1:2::ffff')),
    )
    expect(clientKey(request('2001:db8:1:2::1'))).not.toBe(clientKey(request('2001:db8:1:3::1')))
  })

  it("counts a forwarded value that is no address under the connection's own address", () => {
    for (const forged of ['evil\u0000', 'not-an-address', '', '203.0.113.7, 10.0.0.1']) {
      expect(clientKey(request(forged))).toBe('10.0.0.9')
    }
  })
})
