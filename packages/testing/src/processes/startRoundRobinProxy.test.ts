import { Agent, createServer, request, type Server } from 'node:http'
import { afterEach, describe, expect, it } from 'vitest'
import { freePort } from '../http/freePort.ts'
import { type RoundRobinProxy, startRoundRobinProxy } from './startRoundRobinProxy.ts'

/** POSTs `body` through `agent`, and returns the status and parsed answer. */
function post(url: string, body: string, agent: Agent) {
  return new Promise<{ status: number; answer: unknown }>((resolve, reject) => {
    const sent = request(url, { method: 'POST', agent }, async (response) => {
      let text = ''
      for await (const chunk of response) text += chunk
      resolve({ status: Number(response.statusCode), answer: JSON.parse(text) })
    })
    sent.on('error', reject)
    sent.end(body)
  })
}

/** A backend that answers with its name, the Host it was sent and the body it got. */
async function backend(name: string, port: number): Promise<Server> {
  const server = createServer(async (incoming, outgoing) => {
    let body = ''
    for await (const chunk of incoming) body += chunk
    outgoing
      .writeHead(201, { 'x-backend': name })
      .end(JSON.stringify({ name, host: incoming.headers.host, body }))
  })
  await new Promise<void>((resolve) => server.listen(port, 'localhost', resolve))
  return server
}

describe('startRoundRobinProxy', () => {
  const servers: Server[] = []
  let proxy: RoundRobinProxy | undefined
  afterEach(async () => {
    await proxy?.close()
    await Promise.all(
      servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))),
    )
  })

  it('alternates backends per request on one kept-alive connection, passing Host and body on', async () => {
    const ports = [await freePort(), await freePort()]
    servers.push(await backend('a', Number(ports[0])), await backend('b', Number(ports[1])))
    proxy = await startRoundRobinProxy(ports)
    // One connection for every request, as a browser keeps it.
    const agent = new Agent({ keepAlive: true, maxSockets: 1 })
    const answers: unknown[] = []
    const sockets = new Set<unknown>()
    agent.on('free', (socket) => sockets.add(socket))
    for (let index = 0; index < 4; index++) {
      const { status, answer } = await post(
        `${proxy.url}/path/${index}?q=1`,
        `body ${index}`,
        agent,
      )
      expect(status).toBe(201)
      answers.push(answer)
    }
    agent.destroy()
    expect(sockets.size).toBe(1)
    const host = `localhost:${proxy.port}`
    expect(answers).toEqual([
      { name: 'a', host, body: 'body 0' },
      { name: 'b', host, body: 'body 1' },
      { name: 'a', host, body: 'body 2' },
      { name: 'b', host, body: 'body 3' },
    ])
    expect(proxy.log).toEqual(
      [0, 1, 2, 3].map((index) => ({
        method: 'POST',
        path: `/path/${index}?q=1`,
        backend: index % 2,
        status: 201,
      })),
    )
  })

  it('answers 502 for a backend that is not listening, and logs it, on the port it is given', async () => {
    const ports = [await freePort(), await freePort()]
    servers.push(await backend('a', Number(ports[0])))
    const port = await freePort()
    proxy = await startRoundRobinProxy(ports, port)
    expect(proxy.url).toBe(`http://localhost:${port}`)
    const statuses = []
    for (let index = 0; index < 2; index++) {
      statuses.push((await fetch(`${proxy.url}/`)).status)
    }
    expect(statuses).toEqual([201, 502])
    expect(proxy.log.map((entry) => [entry.backend, entry.status])).toEqual([
      [0, 201],
      [1, 502],
    ])
  })
})
