import { randomInt } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { createServer } from 'node:net'

/** Where the ports a test picks start: above the well-known and registered services' usual ports. */
const LOWEST = 10_000
/** Tries before giving up: a port below the ephemeral range is rarely taken. */
const TRIES = 50

/**
 * A TCP port that is free right now on every address. A server's issuer URL must be known before it
 * listens (it is signed into tokens), so tests pick the port first rather than listening on 0.
 *
 * It is picked at random below the kernel's ephemeral range, not by listening on 0: a port from
 * that range could be handed, in the moment before the server binds it, to another test file's
 * `listen(0)` or to one of the thousands of outgoing connections the suites open in parallel.
 */
export async function freePort(): Promise<number> {
  const start = ephemeralRangeStart()
  // No room below the range (or no range to read, off Linux): the kernel's pick, as before.
  if (start === undefined) return listenedPort()
  for (let tries = 0; tries < TRIES; tries += 1) {
    const port = randomInt(LOWEST, start)
    if (await canListen(port)) return port
  }
  throw new Error(`no free port between ${LOWEST} and ${start - 1} after ${TRIES} tries`)
}

/** The first port the kernel hands out for `listen(0)` and outgoing connections, if Linux says. */
function ephemeralRangeStart(): number | undefined {
  try {
    const start = Number(
      readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').split(/\s+/)[0],
    )
    return Number.isInteger(start) && start > LOWEST + 1_000 ? start : undefined
  } catch {
    return undefined
  }
}

/** Whether a server can listen on `port` on every address right now. */
function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer()
    server.unref()
    server.once('error', () => resolve(false))
    server.listen(port, () => server.close(() => resolve(true)))
  })
}

/** A port the kernel picks for `listen(0)`, released at once. */
function listenedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.unref()
    server.once('error', reject)
    server.listen(0, () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}
