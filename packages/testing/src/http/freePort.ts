import { createServer } from 'node:net'

/**
 * A TCP port that is free right now on localhost. A server's issuer URL must be known before it
 * listens (it is signed into tokens), so tests pick the port first rather than listening on 0.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.unref()
    server.on('error', reject)
    server.listen(0, 'localhost', () => {
      const address = server.address()
      server.close(() =>
        typeof address === 'object' && address !== null
          ? resolve(address.port)
          : reject(new Error('no port')),
      )
    })
  })
}
