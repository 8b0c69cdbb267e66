import { Agent, request } from 'node:http'

const agent = new Agent({ keepAlive: true })

/** Statuses whose response has no body, which `Response` refuses one for. */
const NULL_BODY = new Set([101, 204, 205, 304])

/**
 * `fetch` for plain-http requests over node:http with keep-alive connections, answering a real
 * `Response` once the whole body has arrived. It never follows redirects: a redirect is returned
 * when the request says `redirect: 'manual'`, and is an error otherwise. It takes string and
 * URLSearchParams bodies (all that the sign-ins send) and no abort signal.
 *
 * Why: on these 2-core machines the load generator shares the cores with the server it drives, and
 * Node's own fetch (undici, web streams) costs the client about as much CPU per sign-in as the bare
 * oidc-provider spends serving it; this costs about half, so the server stays the limit.
 */
export function leanFetch(
  input: string | URL | Request,
  init: RequestInit = {},
): Promise<Response> {
  if (input instanceof Request) return Promise.reject(new TypeError('leanFetch takes a URL'))
  const url = new URL(input)
  const headers = new Headers(init.headers)
  let body = init.body ?? undefined
  if (body instanceof URLSearchParams) {
    if (!headers.has('content-type'))
      headers.set('content-type', 'application/x-www-form-urlencoded;charset=UTF-8')
    body = body.toString()
  }
  if (body !== undefined && typeof body !== 'string')
    return Promise.reject(new TypeError('leanFetch sends string or URLSearchParams bodies only'))
  if (body !== undefined) headers.set('content-length', String(Buffer.byteLength(body)))

  return send(url, init.method ?? 'GET', Object.fromEntries(headers), body, init.redirect)
}

function send(
  url: URL,
  method: string,
  headers: Record<string, string>,
  body: string | undefined,
  redirect: RequestRedirect | undefined,
  retried = false,
): Promise<Response> {
  return new Promise((resolve, reject) => {
    const outgoing = request(url, { method, headers, agent }, (response) => {
      const chunks: Buffer[] = []
      response.on('data', (chunk: Buffer) => chunks.push(chunk))
      response.on('error', reject)
      response.on('end', () => {
        const status = response.statusCode ?? 0
        if (status >= 300 && status < 400 && redirect !== 'manual') {
          reject(new Error(`leanFetch follows no redirect (${status} from ${url})`))
          return
        }
        const answer = new Headers()
        const raw = response.rawHeaders
        for (let i = 0; i + 1 < raw.length; i += 2) answer.append(raw[i] ?? '', raw[i + 1] ?? '')
        resolve(
          new Response(NULL_BODY.has(status) ? null : new Uint8Array(Buffer.concat(chunks)), {
            status,
            statusText: response.statusMessage,
            headers: answer,
          }),
        )
      })
    })
    outgoing.on('error', (error: NodeJS.ErrnoException) => {
      // A kept-alive connection the server closed as this request went out: the request never
      // reached it, so it is sent again once, on a new connection (as Node's docs advise).
      if (outgoing.reusedSocket && error.code === 'ECONNRESET' && !retried)
        resolve(send(url, method, headers, body, redirect, true))
      else reject(error)
    })
    outgoing.end(body)
  })
}
