import { STATUS_CODES } from 'node:http'
import type { Duplex } from 'node:stream'
import { ProviderError } from '../errors/ProviderError.ts'

/** How long a refused client may go on sending before its connection is cut. */
const DRAIN_MS = 1000

const answered = new WeakSet<Duplex>()

/**
 * Fastify's `clientErrorHandler`: the answer to a request Node's HTTP parser refused before any
 * route saw it (headers over 16 KiB, malformed HTTP, a request too slow to arrive).
 *
 * Fastify's own handler writes its answer and destroys the socket at once. When the client is still
 * sending (a 20 KiB address, say), the kernel then answers the unread bytes with a reset, and the
 * client often reads "connection reset" instead of the 431. Here the answer is written with a
 * half-close and the rest of the request is read and dropped, for at most `DRAIN_MS`.
 */
export function answerClientError(
  headers: Record<string, string>,
): (error: Error & { code?: string }, socket: Duplex) => void {
  return (error, socket) => {
    // Node's parser reports every later chunk of a refused request again: answer once.
    if (answered.has(socket)) return
    answered.add(socket)
    if (error.code === 'ECONNRESET' || socket.destroyed || !socket.writable) {
      socket.destroy()
      return
    }
    const refusal = new ProviderError(
      error.code === 'HPE_HEADER_OVERFLOW'
        ? 'headers_too_large'
        : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? 'request_too_slow'
          : 'request_unreadable',
    )
    const body = JSON.stringify({ error: refusal.error, message: refusal.appMessage })
    const head = [
      `HTTP/1.1 ${refusal.statusCode} ${STATUS_CODES[refusal.statusCode]}`,
      'connection: close',
      'content-type: application/json; charset=utf-8',
      `content-length: ${Buffer.byteLength(body)}`,
      ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
    ]
    socket.end(`${head.join('\r\n')}\r\n\r\n${body}`)
    socket.resume()
    setTimeout(() => socket.destroy(), DRAIN_MS).unref()
  }
}
