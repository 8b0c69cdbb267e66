/**
 * Every rate limit of the provider, in one table: what is counted, under which key, how many in
 * which window, and why that number. A limit counts only what abuse needs in bulk and a person or an
 * app meets rarely: sign-ups, failures and look-ups, never successful sign-ins or code redemptions.
 * Windows are fixed: they open at the first count and close `windowSeconds` later; a refusal's
 * `Retry-After` is the time left in the window.
 *
 * `counts`:
 * - `requests`: every request to the route (through @fastify/rate-limit);
 * - `failures`: only requests that failed; checked before, counted after (see `createLimiter`);
 * - `unfinished`: authorizations that sent the browser to a sign-in or consent page, less those that
 *   came back (the rows an abandoned authorization leaves in the database).
 *
 * `per`: `ip` is the client address (its /64 for IPv6, where one subscriber holds the whole
 * prefix), as TRUST_PROXY reads it; `account` is the signed-in account.
 */
export const LIMITS = {
  // A person signs up once; a family, class or office behind one address a few at a time. 20 in
  // 10 minutes lets a workshop through and keeps one client to 2 accounts a minute (it made 111 a
  // second), 2,880 a day at most: username squatting at that pace is visible long before it matters.
  signUps: { counts: 'requests', per: 'ip', max: 20, windowSeconds: 600 },
  // The sign-up form's options step tells whether a username is taken (409). A person tries a few
  // names; 60 in 10 minutes is 3 per sign-up allowed above, and turns an enumeration of 2,000 names
  // in 4.5 s into one of 6 a minute.
  usernameLookUps: { counts: 'requests', per: 'ip', max: 60, windowSeconds: 600 },
  // Failed passkey answers (wrong, unknown, cloned or stale). A signature cannot be guessed, so this
  // bounds load, not guessing: 30 in 10 minutes is far more than a person who cancels or picks the
  // wrong passkey reaches. Per address only: counting per account would let anyone who knows a
  // passkey's ID lock its owner out.
  failedSignIns: { counts: 'failures', per: 'ip', max: 30, windowSeconds: 600 },
  // Refused requests at /openid/token (a wrong, used or expired code, a bad verifier). An app's
  // backend redeems for all its users from one address and meets a few of these (double submits,
  // codes that expired in a slow browser); 60 in 10 minutes leaves it room, and makes 2,000 guesses
  // take 5 hours instead of 3.2 s, of codes that hold 256 random bits and live 60 s.
  failedCodeRedemptions: { counts: 'failures', per: 'ip', max: 60, windowSeconds: 600 },
  // Introspection answered `active: false` and revocation of a token that does not exist. An API
  // (the Fastify plugin) asks about each new token and caches the answer, so unknown tokens come
  // only as tokens expire or are revoked: 300 in 5 minutes (1 a second) serves an API with many
  // thousands of users and stops a sweep.
  unknownTokens: { counts: 'failures', per: 'ip', max: 300, windowSeconds: 300 },
  // Authorizations left at the sign-in or consent page. A person abandons a few a day; 100 in 30
  // minutes from one address caps the rows one client can leave at 100 while INTERACTION_TTL is at
  // most 30 minutes (10 by default), 200 at its longest (1 hour), with parameters of at most 2 KB
  // each, instead of 882 a second. Completed ones are subtracted, so sign-ins at any pace pass.
  unfinishedAuthorizations: { counts: 'unfinished', per: 'ip', max: 100, windowSeconds: 1800 },
  // The account page's forms (profile, passkey names, removals, revocations, deletion): a person
  // changes a few things at a time; 60 in 10 minutes per address and per account stops scripted
  // churn of rows without ever meeting a person.
  accountForms: { counts: 'requests', per: 'ip', max: 60, windowSeconds: 600 },
  accountFormsPerAccount: { counts: 'requests', per: 'account', max: 60, windowSeconds: 600 },
  // Verification codes mailed (account page). A person needs one, sometimes a second after a typo: 5
  // an hour per account bounds the mail one account can send to any address (the form must not be a
  // mail cannon) and, with 5 tries per code, the guesses at its 6-digit codes to 25 an hour (one
  // chance in 40,000). 20 an hour per address keeps many accounts from one client to the same pace.
  verificationMails: { counts: 'requests', per: 'account', max: 5, windowSeconds: 3600 },
  verificationMailsPerIp: { counts: 'requests', per: 'ip', max: 20, windowSeconds: 3600 },
  // Wrong verification codes from one address, whichever account: a person mistypes a few; 30 in 10
  // minutes stops one client guessing across many accounts' codes, each of which dies at 5 tries.
  failedEmailCodes: { counts: 'failures', per: 'ip', max: 30, windowSeconds: 600 },
  // Account recovery requests (`Send recovery link`). A person who lost a passkey asks once, maybe
  // again after a typo: 10 an hour per address stops one client making links mail the owners of
  // many accounts. Per account, one link per 14 minutes bounds the messages anyone can make one
  // owner receive (4 an hour); that refusal is silent (no mail, a log line), since the answer must
  // not tell whether an account exists. The window is shorter than a link lives (15 minutes,
  // RECOVERY_LINK_LIFETIME_MS), so whoever spends an owner's quota leaves a link in the owner's
  // mailbox that works until the owner may ask again, with a minute to spare for instances whose
  // clocks differ: nobody can keep an owner from recovering.
  recoveryRequests: { counts: 'requests', per: 'ip', max: 10, windowSeconds: 3600 },
  recoveryMails: { counts: 'requests', per: 'account', max: 1, windowSeconds: 840 },
  // Recovery links that do not work (unknown, expired, used, void). A token holds 256 random bits,
  // so this bounds load and sweeps rather than guessing: a person opens a stale link or two; 30 in
  // 10 minutes from one address is far more.
  failedRecoveryLinks: { counts: 'failures', per: 'ip', max: 30, windowSeconds: 600 },
} as const satisfies Record<string, LimitRule>

/** One rate limit (see `LIMITS`). */
export interface LimitRule {
  counts: 'requests' | 'failures' | 'unfinished'
  per: 'ip' | 'account'
  max: number
  windowSeconds: number
}

/** The name of a limit in the table. */
export type LimitName = keyof typeof LIMITS
