import type { AddressInfo } from 'node:net'
import { createServer, type Socket } from 'node:net'

/** A TCP server that accepts connections and never says a word: a mail server that hangs. */
export interface SilentServer {
  /** `smtp://127.0.0.1:<port>`, for SMTP_URL. */
  url: string
  /** Connections accepted so far. */
  accepted(): number
  close(): Promise<void>
}

/**
 * Starts a server on an ephemeral port of 127.0.0.1 that accepts every connection and never
 * answers, as a stuck or overloaded SMTP server does: what waits for its greeting waits until its
 * own timeout. `close()` drops the connections still open.
 */
export async function startSilentServer(): Promise<SilentServer> {
  const sockets = new Set<Socket>()
  let accepted = 0
  const server = createServer((socket) => {
    accepted += 1
    sockets.add(socket)
    socket.on('error', () => {})
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `smtp://127.0.0.1:${port}`,
    accepted: () => accepted,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      }),
  }
}
