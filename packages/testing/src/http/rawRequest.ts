import { type IncomingHttpHeaders, request } from 'node:http'

/** An answer read in full. */
export interface RawAnswer {
  status: number
  headers: IncomingHttpHeaders
  body: string
}

/**
 * Sends one request exactly as written, which fetch would not: `target` goes into the request line
 * unchanged (`/openid/Token/`, or an absolute `http://any.host/...`), and `headers` may set `Host`.
 * Sent to the server at `origin` (such as http://localhost:43121); no redirect is followed.
 */
export function rawRequest(
  origin: string,
  target: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<RawAnswer> {
  const { hostname, port } = new URL(origin)
  return new Promise((resolve, reject) => {
    const sent = request(
      { hostname, port, method: options.method ?? 'GET', path: target, headers: options.headers },
      (response) => {
        const chunks: Buffer[] = []
        response.on('data', (chunk: Buffer) => chunks.push(chunk))
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: Buffer.concat(chunks).toString(),
          }),
        )
      },
    )
    sent.on('error', reject)
    sent.end(options.body)
  })
}
