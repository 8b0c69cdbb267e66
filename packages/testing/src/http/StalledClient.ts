import { connect, type Socket } from 'node:net'

/**
 * The bound on time (issue 11, "Bounded time"): a client that stalls is cut off by every
 * server the project starts within this many milliseconds.
 */
export const CUT_OFF_WITHIN_MS = 30_000

/**
 * A raw TCP client that sends part of a request and then stalls, or sends the rest one byte at a
 * time, as a slowloris client does: for the tests that every server bounds the time it holds one.
 */
export class StalledClient {
  readonly socket: Socket
  /** Resolves to how long the connection lived, in milliseconds, once the server has closed it. */
  readonly closed: Promise<number>
  #received = ''
  #timer: NodeJS.Timeout | undefined

  private constructor(socket: Socket, openedAt: number) {
    this.socket = socket
    socket.on('data', (chunk) => {
      this.#received += chunk.toString('latin1')
    })
    this.closed = new Promise<number>((resolve) =>
      socket.once('close', () => {
        clearInterval(this.#timer)
        resolve(Date.now() - openedAt)
      }),
    )
  }

  /** Connects to `port` on 127.0.0.1 and sends `first` (nothing if empty). */
  static async open(port: number, first = ''): Promise<StalledClient> {
    const socket = connect(port, '127.0.0.1')
    socket.on('error', () => {})
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()))
    const client = new StalledClient(socket, Date.now())
    if (first !== '') socket.write(first)
    return client
  }

  /** What the server sent before closing. */
  received(): string {
    return this.#received
  }

  /** Writes one more byte of `rest` every `everyMs`, as a slow client does to dodge an idle timeout. */
  drip(rest: string, everyMs: number): void {
    let next = 0
    this.#timer = setInterval(() => {
      if (this.socket.destroyed || next >= rest.length) return clearInterval(this.#timer)
      this.socket.write(rest[next] ?? '')
      next += 1
    }, everyMs)
  }

  /** Closes the connection from this side and stops dripping. */
  destroy(): void {
    clearInterval(this.#timer)
    this.socket.destroy()
  }
}

/** How one stalled client ended: how long the server held it, and what it sent before closing. */
export interface StallOutcome {
  lifetime: number
  received: string
}

/**
 * Stalls the server on `port` in each way a slow client can, all at once, and resolves when the
 * server has closed every connection:
 * - `silentMidBody` sends `bodyHead(length)` and part of a body, then nothing;
 * - `drippingBody` sends the same, then one byte of the rest every 2 s;
 * - `drippingHeaders` sends `headersStart`, then one header byte every 2 s;
 * - `silent` connects and sends nothing.
 * `bodyHead` must be the head of a request that the server reads the body of.
 */
export async function stallEveryWay(
  port: number,
  request: { bodyHead: (length: number) => string; headersStart: string },
): Promise<Record<'silentMidBody' | 'drippingBody' | 'drippingHeaders' | 'silent', StallOutcome>> {
  const body = JSON.stringify({ note: 'x'.repeat(200) })
  const clients = {
    silentMidBody: await StalledClient.open(
      port,
      request.bodyHead(body.length) + body.slice(0, 10),
    ),
    drippingBody: await StalledClient.open(port, request.bodyHead(body.length) + body.slice(0, 10)),
    drippingHeaders: await StalledClient.open(port, request.headersStart),
    silent: await StalledClient.open(port),
  }
  clients.drippingBody.drip(body.slice(10), 2_000)
  clients.drippingHeaders.drip(`Host: localhost:${port}\r\nX-Slow: ${'y'.repeat(100)}`, 2_000)
  const outcomes = await Promise.all(
    Object.entries(clients).map(async ([name, client]) => {
      const lifetime = await client.closed
      return [name, { lifetime, received: client.received() }] as const
    }),
  )
  return Object.fromEntries(outcomes) as Record<keyof typeof clients, StallOutcome>
}

/**
 * Holds `cap` silent connections to the server on `port`, opens one more, and resolves to how long
 * the server kept that one (milliseconds) once it closed it; the held connections are closed then.
 */
export async function lifetimePastTheCap(port: number, cap: number): Promise<number> {
  const held = await Promise.all(Array.from({ length: cap }, () => StalledClient.open(port)))
  try {
    const extra = await StalledClient.open(port)
    return await extra.closed
  } finally {
    for (const client of held) client.destroy()
    await Promise.all(held.map((client) => client.closed))
  }
}
