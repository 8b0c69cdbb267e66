import { startSilentServer, startTestSmtpServer } from '@passkey-id/testing/mail'
import { describe, expect, it } from 'vitest'
import { ProviderError } from '../errors/ProviderError.ts'
import { createMailer, DEVELOPMENT_MAIL_MARK } from './createMailer.ts'

const FROM = { name: 'passkey-id', address: 'no-reply@id.example.com' }
const MESSAGE = { to: 'alice@example.com', subject: 'Hello', text: 'Line one\nLine two\n' }

describe('createMailer', () => {
  it('sends through SMTP with address objects, so a name cannot add a header', async () => {
    const smtp = await startTestSmtpServer()
    try {
      const mailer = createMailer({ kind: 'smtp', url: smtp.url, from: FROM, timeoutSeconds: 5 })
      expect(mailer.enabled).toBe(true)
      await mailer.send({ ...MESSAGE, toName: 'Alice, "the admin" <evil@example.com>' })
      const [mail] = smtp.messages
      expect(mail?.envelopeTo).toEqual(['alice@example.com'])
      expect(mail?.envelopeFrom).toBe('no-reply@id.example.com')
      expect(mail?.text).toBe('Line one\nLine two\n')
      expect(mail?.raw).not.toMatch(/^Bcc:/im)
    } finally {
      await smtp.close()
    }
  })

  it('refuses a line break in any header value, sending nothing', async () => {
    const smtp = await startTestSmtpServer()
    try {
      const mailer = createMailer({ kind: 'smtp', url: smtp.url, from: FROM, timeoutSeconds: 5 })
      const injections = [
        { ...MESSAGE, to: 'alice@example.com\r\nBcc: everyone@example.com' },
        { ...MESSAGE, toName: 'Alice\nBcc: everyone@example.com' },
        { ...MESSAGE, subject: 'Hello\r\nBcc: everyone@example.com' },
      ]
      for (const message of injections)
        await expect(mailer.send(message)).rejects.toThrow('a mail header value holds a line break')
      expect(smtp.messages).toEqual([])
    } finally {
      await smtp.close()
    }
  })

  it('prints development mail, marked as such, instead of sending it', async () => {
    const printed: string[] = []
    const mailer = createMailer({ kind: 'print', from: FROM }, (text) => printed.push(text))
    await mailer.send(MESSAGE)
    expect(printed).toEqual([
      `----- ${DEVELOPMENT_MAIL_MARK} -----\nFrom: passkey-id <no-reply@id.example.com>\nTo: alice@example.com\nSubject: Hello\n\nLine one\nLine two\n\n----- end of development mail -----\n`,
    ])
  })

  it('is off without a mail server, refusing with mail_off', async () => {
    const mailer = createMailer({ kind: 'off' })
    expect(mailer.enabled).toBe(false)
    await expect(mailer.send(MESSAGE)).rejects.toMatchObject({ code: 'mail_off' })
  })

  it('gives up on a silent server after the timeout, as mail_unavailable', async () => {
    const silent = await startSilentServer()
    try {
      const mailer = createMailer({ kind: 'smtp', url: silent.url, from: FROM, timeoutSeconds: 1 })
      const started = performance.now()
      const failed = await mailer.send(MESSAGE).catch((error: unknown) => error)
      expect(failed).toBeInstanceOf(ProviderError)
      expect((failed as ProviderError).code).toBe('mail_unavailable')
      // At its own 1 s timeout, not nodemailer's (30 s and more), with room for a loaded machine.
      expect(performance.now() - started).toBeLessThan(6000)
    } finally {
      await silent.close()
    }
  })

  it('logs a notice that cannot be sent, and close() waits for the notices on their way', async () => {
    const silent = await startSilentServer()
    try {
      const mailer = createMailer({ kind: 'smtp', url: silent.url, from: FROM, timeoutSeconds: 1 })
      const warnings: unknown[] = []
      const log = { warn: (...args: unknown[]) => warnings.push(args) }
      mailer.notify(MESSAGE, log as never)
      expect(warnings).toEqual([])
      await mailer.close()
      expect(warnings).toHaveLength(1)
      expect(JSON.stringify(warnings[0])).toContain('a notice could not be mailed: Hello')
    } finally {
      await silent.close()
    }
  })
})
