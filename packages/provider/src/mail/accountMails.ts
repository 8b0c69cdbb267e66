import type { MailMessage } from './createMailer.ts'

/** Where a message points the person: the provider's issuer (its account page is at `/account`). */
interface Sender {
  issuer: string
}

/** How a message ends: which service sent it, and where to look. */
function signature(sender: Sender): string {
  return `--\npasskey-id at ${sender.issuer}\nYour account: ${sender.issuer}/account`
}

/**
 * The mail the provider sends about an account, one function each (in the manner of the error
 * catalogue): plain text, which every mail program shows as written, and never a link that signs in
 * but the recovery link, which is its message's purpose and works once.
 * A username is ASCII letters, digits, dots, dashes and underscores (profile/validateSignUp), so it
 * cannot break a line.
 */
export const ACCOUNT_MAILS = {
  /** The code that verifies `to` for `username`. */
  verificationCode(sender: Sender, to: string, username: string, code: string): MailMessage {
    return {
      to,
      subject: `Your verification code: ${code}`,
      text: `Your verification code is\n\n    ${code}\n\nEnter it on the page where you asked for it (the account ${username}) to verify this email address. It works once, for 10 minutes.\n\nIf you did not ask for it, ignore this message: the address stays unverified.\n\n${signature(sender)}\n`,
    }
  },
  /** Tells the old, verified address that the account has another address now. */
  addressChanged(sender: Sender, to: string, username: string): MailMessage {
    return {
      to,
      subject: 'Your account’s email address was changed',
      text: `The email address of the account ${username} was changed, so mail about it no longer comes here.\n\nIf you did not change it, sign in with your passkey, put your address back on your account page, and look at "Recent activity" there.\n\n${signature(sender)}\n`,
    }
  },
  /** Tells the verified address that a passkey was added to the account. */
  passkeyAdded(sender: Sender, to: string, username: string): MailMessage {
    return {
      to,
      subject: 'A passkey was added to your account',
      text: `A new passkey was added to the account ${username}: it can sign in to the account from now on.\n\nIf you did not add it, sign in with a passkey you trust, remove the new one on your account page, and look at "Recent activity" there.\n\n${signature(sender)}\n`,
    }
  },
  /**
   * The one-time recovery link for `username`, to its verified address. The page it opens only
   * shows a button, so a mail scanner that opens the link spends nothing.
   */
  recoveryLink(sender: Sender, to: string, username: string, link: string): MailMessage {
    return {
      to,
      subject: 'Your account recovery link',
      text: `Someone asked to recover the account ${username}, which has this email address. If it was you, open this link on the device that should get the new passkey, and press "Create a new passkey":\n\n    ${link}\n\nIt works once, for 15 minutes. Anyone who has it can add a passkey to your account: do not forward it.\n\nIf you did not ask for it, ignore this message: nothing changes unless the link is used. If you ask for a link yourself in the next 15 minutes, use this one: no other is sent before then.\n\n${signature(sender)}\n`,
    }
  },
  /** Tells the verified address that a recovery link added a passkey and signed someone in. */
  recovered(sender: Sender, to: string, username: string): MailMessage {
    return {
      to,
      subject: 'Your account was recovered',
      text: `A recovery link was used on the account ${username}: a new passkey was created with it and signed in. Your apps and their access are unchanged.\n\nIf that was you, you can remove the passkeys you lost on your account page.\n\nIf it was not you, someone can read this mailbox or got the link: secure your email account, sign in with a passkey you trust, remove the passkeys you do not recognise, and look at "Recent activity" on your account page.\n\n${signature(sender)}\n`,
    }
  },
} as const
