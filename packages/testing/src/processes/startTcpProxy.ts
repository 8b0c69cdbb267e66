import { createConnection, createServer, type Socket } from 'node:net'
import { freePort } from '../http/freePort.ts'

/** A TCP proxy a test can cut and restore, as a network fault between two servers. */
export interface TcpProxy {
  port: number
  /** Resets every open connection and refuses new ones (ECONNREFUSED) until `restore`. */
  cut(): Promise<void>
  /** Accepts connections again, on the same port. */
  restore(): Promise<void>
  /** Cuts everything and stops. */
  close(): Promise<void>
}

/**
 * Forwards connections on a free port of 127.0.0.1 to `targetPort` on 127.0.0.1, byte for byte, until
 * `cut`: then the open connections are reset, mid-query if need be, and new ones are refused, as
 * when a database host goes away. `restore` listens again on the same port.
 */
export async function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  const port = await freePort()
  const open = new Set<Socket>()
  const track = (socket: Socket) => {
    open.add(socket)
    socket.on('close', () => open.delete(socket))
  }
  const server = createServer((client) => {
    const upstream = createConnection({ port: targetPort, host: '127.0.0.1' })
    track(client)
    track(upstream)
    client.on('error', () => upstream.destroy())
    upstream.on('error', () => client.destroy())
    client.pipe(upstream).pipe(client)
  })
  const listen = () =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject)
        resolve()
      })
    })
  const cut = async () => {
    const closed = server.listening
      ? new Promise((resolve) => server.close(resolve))
      : Promise.resolve()
    for (const socket of open) socket.resetAndDestroy()
    await closed
  }
  await listen()
  return { port, cut, restore: listen, close: cut }
}
