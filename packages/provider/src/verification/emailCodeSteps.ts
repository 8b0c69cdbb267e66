import type { FastifyRequest } from 'fastify'
import type { Kysely } from 'kysely'
import type { CodeCheck, EmailVerification } from '../accounts/emailVerification.ts'
import { ProviderError } from '../errors/ProviderError.ts'
import { recordSecurityEvent } from '../events/recordSecurityEvent.ts'
import { clientKey } from '../limits/clientKey.ts'
import type { Limiter } from '../limits/createLimiter.ts'
import { ACCOUNT_MAILS } from '../mail/accountMails.ts'
import type { Mailer } from '../mail/createMailer.ts'
import { emailProblem } from '../profile/validateSignUp.ts'
import type { ProviderDatabase } from '../store/schema.ts'

/** The account a code is sent for or checked on. */
export interface CodeOwner {
  id: string
  username: string
}

/**
 * The two steps of email verification, the same wherever a page offers them (the account page, the
 * step after a sign-up with an address): each refuses by throwing the catalogue's `ProviderError`,
 * for the page to show as it shows its refusals.
 */
export interface EmailCodeSteps {
  /**
   * Mails a new code to `email` (trimmed by the caller) for `owner`, then saves the address and the
   * code's hash together (`saveSentCode`). The code is mailed before anything is saved, so a mail
   * server that is down, slow or refusing changes nothing, and a failed save leaves only a code that
   * verifies nothing. `clientId` is the app the sign-up was for, recorded with the event.
   */
  send(request: FastifyRequest, owner: CodeOwner, email: string, clientId?: string): Promise<void>
  /** Checks a code typed in (spaces anywhere are ignored) and marks the address verified. */
  verify(request: FastifyRequest, owner: CodeOwner, typed: string, clientId?: string): Promise<void>
}

/**
 * The email verification steps over the provider's mailer and limits: codes mailed under
 * `verificationMails` per account and `verificationMailsPerIp`, wrong codes (and codes typed with
 * none waiting) under `failedEmailCodes` per client address, each step recorded as a security event
 * (`email_verification_sent`, `email_verified`).
 */
export function emailCodeSteps(options: {
  db: Kysely<ProviderDatabase>
  mailer: Mailer
  emailVerification: EmailVerification
  limiter: Limiter
  issuer: string
}): EmailCodeSteps {
  const { db, mailer, emailVerification, limiter, issuer } = options
  return {
    async send(request, owner, email, clientId) {
      if (!mailer.enabled) throw new ProviderError('mail_off')
      if (email === '') throw new ProviderError('email_missing')
      const guidance = emailProblem(email)
      if (guidance !== undefined) throw new ProviderError('invalid_email', { guidance })
      await limiter.take('verificationMailsPerIp', clientKey(request))
      await limiter.take('verificationMails', owner.id)
      const code = emailVerification.newCode()
      await mailer.send(ACCOUNT_MAILS.verificationCode({ issuer }, email, owner.username, code))
      await emailVerification.saveSentCode(owner.id, email, code)
      await recordSecurityEvent(db, request, {
        kind: 'email_verification_sent',
        account: owner.id,
        clientId,
      })
    },

    async verify(request, owner, typed, clientId) {
      const key = clientKey(request)
      const end = limiter.begin('failedEmailCodes', key)
      try {
        // People paste codes with spaces around or inside them.
        const checked = await emailVerification.check(owner.id, typed.replace(/\s/g, ''))
        if (checked.outcome === 'verified') {
          await recordSecurityEvent(db, request, {
            kind: 'email_verified',
            account: owner.id,
            clientId,
          })
          return
        }
        // A code typed with none waiting is a guess too; an address taken is not.
        if (checked.outcome !== 'taken') await limiter.count('failedEmailCodes', key)
        throw codeRefusal(checked)
      } finally {
        end()
      }
    },
  }
}

/** The refusal for a code that did not verify. */
function codeRefusal(checked: Exclude<CodeCheck, { outcome: 'verified' }>): ProviderError {
  switch (checked.outcome) {
    case 'none':
      return new ProviderError('no_pending_code')
    case 'expired':
      return new ProviderError('code_expired')
    case 'wrong':
      return new ProviderError('wrong_code', { attemptsLeft: checked.attemptsLeft })
    case 'taken':
      return new ProviderError('email_verified_elsewhere')
  }
}
