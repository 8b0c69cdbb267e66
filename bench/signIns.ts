import { createSoftwareAuthenticator } from '@passkey-id/authenticator'
import { TestBrowser } from '@passkey-id/testing/http'
import {
  buildAuthorizationRequest,
  discoverAsApp,
  type OpenInteraction,
  readInteractionPage,
  signInWithCodeFlow,
} from '@passkey-id/testing/sign-in'
import * as oidc from 'openid-client'
import { BENCH_APP, BENCH_REDIRECT_URI, BENCH_SCOPE } from './benchApp.ts'

/** The steps of a sign-in, in order. The sign-in page carries its options: no step asks for them. */
export const STEPS = [
  'authorize + sign-in page',
  'passkey answer / login',
  'resume to the app',
  'token',
  'userinfo',
] as const
export type Step = (typeof STEPS)[number]

/**
 * When one step of one sign-in began and ended, in microseconds of the monotonic clock: the clock
 * V8's CPU profiler stamps its samples with, so a profile of the server can be cut by step.
 */
export interface StepSpan {
  step: Step
  start: number
  end: number
}

/** Microseconds on the monotonic clock (CLOCK_MONOTONIC, shared by every process of the machine). */
export const monotonicMicros = () => Number(process.hrtime.bigint() / 1000n)

/** A server that the benchmark signs in at, as the bench app. */
export interface SignInTarget {
  name: string
  /** The issuer's origin: the browser walk stops at the first address off it. */
  origin: string
  config: oidc.Configuration
  /**
   * The person's part on the interaction page `page`, for the sign-in that loop `loop` runs: resolves
   * to where the browser resumes. `lap` ends each step it takes.
   */
  answer(
    browser: TestBrowser,
    page: OpenInteraction,
    loop: number,
    lap: (step: Step) => void,
  ): Promise<string>
}

/**
 * The provider, with `loops` accounts prepared before any timing: each signed up with a passkey of
 * its own and its consent to the bench app given, so a timed sign-in is a returning person's (the
 * passkey, then straight back to the app). One account per concurrent loop, because one passkey's
 * signature counter cannot be answered out of order.
 */
export async function providerTarget(issuer: string, loops: number): Promise<SignInTarget> {
  const config = await discoverAsApp(issuer, BENCH_APP)
  const authenticators = await Promise.all(
    Array.from({ length: loops }, async (_, loop) => {
      const authenticator = createSoftwareAuthenticator()
      const username = `bench-${loop}`
      const { outcome } = await signInWithCodeFlow(config, new TestBrowser(), authenticator, {
        redirectUri: BENCH_REDIRECT_URI,
        scope: BENCH_SCOPE,
        script: { signUp: { username, email: `${username}@example.com` } },
      })
      if (!outcome.sawConsent) throw new Error(`the sign-up of ${username} skipped consent`)
      return authenticator
    }),
  )
  const origin = new URL(issuer).origin
  return {
    name: 'passkey-id provider',
    origin,
    config,
    async answer(browser, { base, signInOptions }, loop, lap) {
      const authenticator = authenticators[loop]
      if (authenticator === undefined) throw new Error(`no account prepared for loop ${loop}`)
      // The options the page carries, as its script uses them.
      if (signInOptions === undefined) throw new Error(`the sign-in page ${base} has no options`)
      const assertion = authenticator.authenticate(signInOptions as never, { origin })
      return expectRedirectTo(await browser.postJson(`${base}/sign-in`, assertion), lap)
    },
  }
}

/** The bare oidc-provider of `bareProvider.ts`: its one login request signs in and consents. */
export async function bareTarget(issuer: string): Promise<SignInTarget> {
  return {
    name: 'bare oidc-provider',
    origin: new URL(issuer).origin,
    config: await discoverAsApp(issuer, BENCH_APP),
    answer: async (browser, { base }, _loop, lap) =>
      expectRedirectTo(await browser.postJson(`${base}/login`, {}), lap),
  }
}

function expectRedirectTo(
  answer: { status: number; body: Record<string, unknown> },
  lap: (step: Step) => void,
): string {
  const { redirectTo } = answer.body
  if (answer.status !== 200 || typeof redirectTo !== 'string')
    throw new Error(`the login step answered ${answer.status}: ${JSON.stringify(answer.body)}`)
  lap('passkey answer / login')
  return redirectTo
}

/**
 * One complete sign-in in a new browser (no cookies): the app's authorization request (PKCE S256,
 * state, nonce), the sign-in page, the person's answer, the redirect back to the app, the code
 * redeemed with openid-client (which checks the ID token) and the profile from userinfo. Throws at
 * the first step that goes wrong: a benchmark of failures would measure nothing.
 */
export async function signIn(
  target: SignInTarget,
  loop: number,
  onBoundary?: StepBoundary,
): Promise<StepSpan[]> {
  const browser = new TestBrowser()
  const request = await buildAuthorizationRequest(target.config, {
    redirectUri: BENCH_REDIRECT_URI,
    scope: BENCH_SCOPE,
  })
  const leavesIssuer = (location: URL) => location.origin !== target.origin
  const spans: StepSpan[] = []
  onBoundary?.(undefined)
  let start = monotonicMicros()
  const lap = (step: Step) => {
    const end = monotonicMicros()
    spans.push({ step, start, end })
    onBoundary?.(step)
    // What the observer took is no step's.
    start = onBoundary === undefined ? end : monotonicMicros()
  }

  const landing = await browser.follow(request.url, leavesIssuer)
  if (landing.response === undefined)
    throw new Error(`${target.name} sent the browser to ${landing.url} before any sign-in page`)
  const page = await readInteractionPage(landing.url, landing.response)
  lap('authorize + sign-in page')
  const resumeAt = await target.answer(browser, page, loop, lap)
  const back = await browser.follow(new URL(resumeAt, target.origin), leavesIssuer)
  if (back.response !== undefined)
    throw new Error(
      `${target.name}: the sign-in stopped at ${back.url} (${back.response.status}) instead of returning to the app`,
    )
  lap('resume to the app')
  const tokens = await oidc.authorizationCodeGrant(target.config, back.url, {
    pkceCodeVerifier: request.verifier,
    expectedState: request.state,
    expectedNonce: request.nonce,
  })
  lap('token')
  const sub = tokens.claims()?.sub
  if (sub === undefined) throw new Error(`${target.name} issued an ID token without sub`)
  await oidc.fetchUserInfo(target.config, tokens.access_token, sub)
  lap('userinfo')
  return spans
}

/**
 * Called before a sign-in's first step (with `undefined`) and after each step, outside the steps'
 * times: one sign-in at a time, the server is idle then, and its CPU counters tell each step's cost.
 */
export type StepBoundary = (ended: Step | undefined) => void

/** What `runSignIns` did. */
export interface SignInRun {
  /** The steps of each sign-in completed, in the order they completed. */
  signIns: StepSpan[][]
  /** From the first sign-in's start to the last one's end. */
  seconds: number
}

/**
 * `concurrency` loops of sign-ins, each starting the next as soon as its last one is done, until
 * `seconds` have passed; a sign-in under way then is finished and counted.
 */
export async function runSignIns(
  target: SignInTarget,
  concurrency: number,
  seconds: number,
  onBoundary?: StepBoundary,
): Promise<SignInRun> {
  const started = monotonicMicros()
  const until = started + seconds * 1e6
  const signIns: StepSpan[][] = []
  const loop = async (index: number) => {
    while (monotonicMicros() < until) signIns.push(await signIn(target, index, onBoundary))
  }
  await Promise.all(Array.from({ length: concurrency }, (_, index) => loop(index)))
  return { signIns, seconds: (monotonicMicros() - started) / 1e6 }
}

/**
 * Sign-ins, `concurrency` at a time, for at least `seconds` and `atLeast` sign-ins, so that the JIT
 * compiler, connection pools and the server's caches have settled before anything counts: on a busy
 * machine a few seconds are not enough.
 */
export async function warmUp(
  target: SignInTarget,
  concurrency: number,
  seconds: number,
  atLeast: number,
): Promise<void> {
  let done = 0
  while (done < atLeast) done += (await runSignIns(target, concurrency, seconds)).signIns.length
}
