import { isIP } from 'node:net'
import { normalizeIP } from '@fastify/rate-limit'
import type { FastifyRequest } from 'fastify'

/** The prefix one subscriber holds in IPv6: counting per address would give them 2^64 keys. */
const IPV6_PREFIX = 64

/**
 * The address a request is counted under: the client's address as Fastify reads it (TRUST_PROXY
 * decides whose X-Forwarded-For is believed), IPv4-mapped IPv6 as IPv4, IPv6 as its /64. A
 * forwarded value that is no address (a TRUST_PROXY with more hops than there are proxies lets the
 * client write it) counts under the connection's own address instead: never a key the client
 * chose, and never a NUL that PostgreSQL would refuse, which would turn the limits off.
 */
export function clientKey(request: FastifyRequest): string {
  const address = isIP(request.ip) === 0 ? (request.socket.remoteAddress ?? '') : request.ip
  return normalizeIP(address, IPV6_PREFIX)
}
