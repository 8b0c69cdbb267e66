import type { FastifyBaseLogger } from 'fastify'
import { createTransport } from 'nodemailer'
import type { MailAddress, MailConfig } from '../config.ts'
import { ProviderError } from '../errors/ProviderError.ts'

/** One message: plain text, to one person. */
export interface MailMessage {
  /** The recipient's address (never a list): a name, if any, goes in `toName`. */
  to: string
  toName?: string
  subject: string
  text: string
}

/**
 * Sends the provider's mail (see `createMailer`). Email verification, the notices and account
 * recovery all send through it, so each gets the same bounds, refusals and development printing.
 */
export interface Mailer {
  /** False when MAIL is `off` (no SMTP_URL on a public PUBLIC_URL): pages offer no email feature. */
  enabled: boolean
  /**
   * Sends `message` and resolves once the server has accepted it (or it is printed). Throws
   * `mail_unavailable` (the server cannot be reached, is too slow, or refuses for now) or
   * `mail_refused` (it refuses for good), so the caller can say so and change nothing.
   */
  send(message: MailMessage): Promise<void>
  /**
   * Sends a notice in the background: the action it tells of is done, so a failure is logged,
   * never shown. `close()` waits for the notices still on their way.
   */
  notify(message: MailMessage, log: FastifyBaseLogger): void
  /** Waits for the notices on their way (each bounded by the timeouts). */
  close(): Promise<void>
}

/** What marks each printed message, so nobody mistakes it for mail that was sent. */
export const DEVELOPMENT_MAIL_MARK =
  'development mail (SMTP_URL is not set: printed here, not sent)'

/**
 * Makes the provider's mailer from its configuration: nodemailer's SMTP transport for SMTP_URL, a
 * printer for development on a loopback PUBLIC_URL, or nothing. Every header value is refused if it
 * holds a line break, and addresses travel as nodemailer's address objects, so nothing a person types
 * can add a header. With SMTP, connecting, the greeting and each reply wait at most SMTP_TIMEOUT
 * seconds, and a whole message at most twice that. `print` writes to standard output whatever the
 * log level, since the person running `npm start` needs the code.
 */
export function createMailer(
  config: MailConfig,
  print: (text: string) => void = (text) => process.stdout.write(text),
): Mailer {
  const pending = new Set<Promise<void>>()
  const deliver = deliveryFor(config, print)
  const mailer: Mailer = {
    enabled: deliver !== undefined,
    async send(message) {
      if (deliver === undefined) throw new ProviderError('mail_off')
      refuseLineBreaks(message)
      await deliver(message)
    },
    notify(message, log) {
      const sending = mailer.send(message).catch((error: unknown) => {
        log.warn({ err: error, event: 'mail' }, `a notice could not be mailed: ${message.subject}`)
      })
      pending.add(sending)
      void sending.finally(() => pending.delete(sending))
    },
    async close() {
      await Promise.all(pending)
    },
  }
  return mailer
}

type Deliver = (message: MailMessage) => Promise<void>

function deliveryFor(config: MailConfig, print: (text: string) => void): Deliver | undefined {
  if (config.kind === 'off') return undefined
  if (config.kind === 'print') return async (message) => print(printed(config.from, message))
  const wait = config.timeoutSeconds * 1000
  const transport = createTransport({
    url: config.url,
    connectionTimeout: wait,
    greetingTimeout: wait,
    socketTimeout: wait,
    dnsTimeout: wait,
  })
  return async (message) => {
    try {
      await transport.sendMail({
        from: config.from,
        to: { name: message.toName ?? '', address: message.to },
        subject: message.subject,
        text: message.text,
        signal: AbortSignal.timeout(2 * wait),
      })
    } catch (error) {
      throw asMailError(error)
    }
  }
}

/** A permanent SMTP refusal (5xx) says the message will never go; anything else may pass later. */
function asMailError(error: unknown): ProviderError {
  const code = (error as { responseCode?: unknown }).responseCode
  if (typeof code === 'number' && code >= 500 && code < 600)
    return new ProviderError('mail_refused', { cause: error })
  return new ProviderError('mail_unavailable', { cause: error })
}

/**
 * A header value with CR or LF could end the header and start another (header injection): no
 * address, name or subject the provider sends may hold one.
 */
function refuseLineBreaks(message: MailMessage): void {
  for (const value of [message.to, message.toName ?? '', message.subject]) {
    if (/[\r\n]/.test(value)) throw new Error('a mail header value holds a line break')
  }
}

/** The message as the terminal shows it, between two marked lines. */
function printed(from: MailAddress, message: MailMessage): string {
  const rule = `----- ${DEVELOPMENT_MAIL_MARK} -----`
  const mailbox = (name: string, address: string) =>
    name === '' ? address : `${name} <${address}>`
  return [
    rule,
    `From: ${mailbox(from.name, from.address)}`,
    `To: ${mailbox(message.toName ?? '', message.to)}`,
    `Subject: ${message.subject}`,
    '',
    message.text,
    `----- end of ${DEVELOPMENT_MAIL_MARK.split(' (')[0]} -----`,
    '',
  ].join('\n')
}
