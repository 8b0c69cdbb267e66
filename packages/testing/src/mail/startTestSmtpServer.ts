import type { AddressInfo } from 'node:net'
import { simpleParser } from 'mailparser'
import { SMTPServer } from 'smtp-server'

/** A message the test SMTP server received, parsed. */
export interface ReceivedMail {
  /** The envelope's sender and recipients, as the client gave them in MAIL FROM and RCPT TO. */
  envelopeFrom: string
  envelopeTo: string[]
  /** The headers as parsed (`from`, `to` as text). */
  from: string
  to: string
  subject: string
  text: string
  /** The message as it arrived, headers and all. */
  raw: string
}

/** A real SMTP server on an ephemeral port of 127.0.0.1, keeping what it receives. */
export interface TestSmtpServer {
  /** `smtp://127.0.0.1:<port>`, for SMTP_URL. */
  url: string
  /** Every message received so far, oldest first. */
  messages: ReceivedMail[]
  /**
   * The first message received after `since` messages (default: those already received) that
   * `matches`, waiting up to `timeoutMs` for it.
   */
  nextMessage(options?: {
    since?: number
    matches?: (mail: ReceivedMail) => boolean
    timeoutMs?: number
  }): Promise<ReceivedMail>
  close(): Promise<void>
}

/**
 * Starts an SMTP server (the `smtp-server` package) for a test: no TLS (STARTTLS is not offered, so
 * nodemailer speaks plain SMTP), any or no login accepted. With `refuseRecipients`, every RCPT TO is
 * answered `550 Mailbox unavailable`, as a server refusing for good does.
 */
export async function startTestSmtpServer(
  options: { refuseRecipients?: boolean } = {},
): Promise<TestSmtpServer> {
  const messages: ReceivedMail[] = []
  const waiting = new Set<() => void>()
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    size: 1024 * 1024,
    onAuth(_auth, _session, callback) {
      callback(null, { user: 'test' })
    },
    onRcptTo(_address, _session, callback) {
      if (options.refuseRecipients !== true) return callback()
      callback(Object.assign(new Error('Mailbox unavailable'), { responseCode: 550 }))
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = []
      stream.on('data', (chunk: Buffer) => chunks.push(chunk))
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8')
        simpleParser(raw)
          .then((parsed) => {
            messages.push({
              envelopeFrom:
                session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address,
              envelopeTo: session.envelope.rcptTo.map((recipient) => recipient.address),
              from: parsed.from?.text ?? '',
              to: [parsed.to ?? []]
                .flat()
                .map((to) => to.text)
                .join(', '),
              subject: parsed.subject ?? '',
              text: parsed.text ?? '',
              raw,
            })
            for (const wake of waiting) wake()
            callback()
          })
          .catch(callback)
      })
    },
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const { port } = server.server.address() as AddressInfo
  return {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    nextMessage({ since = messages.length, matches = () => true, timeoutMs = 10_000 } = {}) {
      return new Promise((resolve, reject) => {
        const look = () => {
          const found = messages.slice(since).find(matches)
          if (found === undefined) return false
          clearTimeout(timer)
          waiting.delete(wake)
          resolve(found)
          return true
        }
        const wake = () => void look()
        const timer = setTimeout(() => {
          waiting.delete(wake)
          reject(new Error(`no matching message arrived within ${timeoutMs} ms`))
        }, timeoutMs)
        if (!look()) waiting.add(wake)
      })
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}
