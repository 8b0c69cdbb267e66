/**
 * The sign-in page's script: runs the passkey ceremonies with @simplewebauthn/browser and talks to
 * the interaction endpoints with JSON. Bundled by esbuild; loaded as the page's only script.
 *
 * Three ways in, one pending challenge. The page carries its options (the server's `startSignIn`),
 * so no request comes before the browser's prompt. At load, where the browser has conditional
 * mediation, a conditional request lists the person's passkeys in the Username field's suggestions
 * (autofill). `Sign in with a passkey` uses the same options, then opens the browser's own prompt,
 * which aborts the autofill request (SimpleWebAuthn's WebAuthnAbortService allows one request at a
 * time). Once an answer was sent, a sign-up began, or the challenge is near its end, the page's
 * options are spent, and the script asks the provider for new ones. Starting a
 * sign-up aborts the autofill request first, as its ceremony replaces the challenge. A ceremony the
 * person started that does not complete hands the field back to autofill.
 */
import {
  browserSupportsWebAuthn,
  browserSupportsWebAuthnAutofill,
  startAuthentication,
  startRegistration,
  WebAuthnAbortService,
} from '@simplewebauthn/browser'
import { explainPasskeyError } from '../../ui/browser/explainPasskeyError.ts'
import { postJson, ServerError } from '../../ui/browser/postJson.ts'
import { sendPasskeySignal } from '../../ui/browser/sendPasskeySignal.ts'
import { offerEmailVerification } from './offerEmailVerification.ts'

type SignInOptions = Parameters<typeof startAuthentication>[0]['optionsJSON']
type SignInAnswer = Awaited<ReturnType<typeof startAuthentication>>

const form = document.getElementById('sign-up') as HTMLFormElement
const uid = form.dataset.interactionUid ?? ''
const message = document.getElementById('message') as HTMLParagraphElement
const signInButton = document.getElementById('sign-in') as HTMLButtonElement
// Absent when sign-ups are closed (SIGNUPS=closed).
const createButton = form.querySelector<HTMLButtonElement>('button[type="submit"]')
const buttons = [signInButton, createButton].filter((button) => button !== null)

/**
 * Below this much time left, the page's challenge is not used: the provider's `startSignIn` gives a
 * new one then, with a whole prompt's time.
 */
const MIN_TIME_LEFT_MS = 2 * 60 * 1000
const loadedAt = Date.now()
/** The sign-in options the page came with, until spent (see the top of this file). */
let pageOptions = readPageOptions()

// A page the browser restores from its back/forward cache may carry a challenge already answered.
window.addEventListener('pageshow', (event) => {
  if (event.persisted) pageOptions = undefined
})

function readPageOptions(): SignInOptions | undefined {
  const json = form.dataset.signInOptions
  return json === undefined ? undefined : (JSON.parse(json) as SignInOptions)
}

/** Options for a sign-in: the page's while they are fresh, else new ones from the provider. */
function signInOptions(): Promise<SignInOptions> {
  const timeLeft = (pageOptions?.timeout ?? 0) - (Date.now() - loadedAt)
  if (pageOptions !== undefined && timeLeft >= MIN_TIME_LEFT_MS)
    return Promise.resolve({ ...pageOptions, timeout: timeLeft })
  pageOptions = undefined
  return post<SignInOptions>('sign-in/options', {})
}

/** Whether a ceremony is running that the person started or chose: no other may start. */
let busy = false
/** Where the browser has conditional mediation: the autofill request is then kept running. */
let autofill = false
/** Renews the autofill request when its challenge expires, so a page left open keeps working. */
let renewal: ReturnType<typeof setTimeout> | undefined

function show(text: string, field?: string): void {
  message.textContent = text
  for (const input of form.querySelectorAll('input')) {
    input.setAttribute('aria-invalid', String(input.name === field))
    if (input.name === field) input.focus()
  }
}

function setBusy(on: boolean): void {
  busy = on
  clearTimeout(renewal)
  for (const button of buttons) button.disabled = on
}

function post<T>(path: string, body: unknown): Promise<T> {
  return postJson<T>(`/interaction/${encodeURIComponent(uid)}/${path}`, body)
}

/**
 * Sends the browser's answer to the provider and follows where it leads. An answer from a passkey
 * the provider does not know (removed, or its account deleted) is signalled to the passkey manager,
 * so it stops offering it; the page knows everything the signal needs already.
 */
async function finishSignIn(answer: SignInAnswer, options: SignInOptions): Promise<void> {
  // The provider takes the challenge with the answer, whatever it says of it.
  pageOptions = undefined
  try {
    const { redirectTo } = await post<{ redirectTo: string }>('sign-in', answer)
    window.location.assign(redirectTo)
  } catch (error) {
    if (error instanceof ServerError && error.code === 'unknown_passkey' && options.rpId)
      await sendPasskeySignal({
        name: 'signalUnknownCredential',
        options: { rpId: options.rpId, credentialId: answer.id },
      })
    throw error
  }
}

/**
 * Runs a ceremony the person started; when it fails, says why and gives the page back, with the
 * autofill request restarted after a button's ceremony. Not after a passkey chosen in the
 * suggestions that the provider refused: a browser that answers a conditional request on its own
 * (as automated ones do) would be refused again and again.
 */
async function run(ceremony: () => Promise<void>, restartAutofill = true): Promise<void> {
  show('')
  setBusy(true)
  try {
    await ceremony()
  } catch (error) {
    const { text, field } = explainPasskeyError(error)
    show(text, field)
    setBusy(false)
    if (restartAutofill) startAutofill()
  }
}

/**
 * Starts (or restarts) the autofill request. It ends without a word when it is aborted or the
 * browser refuses it: the person did not ask for anything yet. Once the person chose a passkey in
 * the suggestions, it is a sign-in like the button's.
 */
function startAutofill(): void {
  if (!autofill) return
  void (async () => {
    let options: SignInOptions
    try {
      options = await signInOptions()
    } catch {
      // The button, when pressed, says what is wrong (an expired sign-in, no connection).
      return
    }
    // The person pressed a button meanwhile: its request must not be aborted by this one.
    if (busy) return
    clearTimeout(renewal)
    renewal = setTimeout(startAutofill, options.timeout ?? 5 * 60 * 1000)
    let answer: SignInAnswer
    try {
      answer = await startAuthentication({ optionsJSON: options, useBrowserAutofill: true })
    } catch {
      return
    }
    await run(() => finishSignIn(answer, options), false)
  })()
}

signInButton.addEventListener('click', () =>
  run(async () => {
    const options = await signInOptions()
    const answer = await startAuthentication({ optionsJSON: options })
    await finishSignIn(answer, options)
  }),
)

form.addEventListener('submit', (event) => {
  event.preventDefault()
  if (busy) return
  // SIGNUPS=closed: Enter in the Username field signs in.
  if (createButton === null) {
    signInButton.click()
    return
  }
  const fields = new FormData(form)
  return run(async () => {
    // The sign-up's ceremony replaces the pending challenge: the autofill request ends first.
    WebAuthnAbortService.cancelCeremony()
    pageOptions = undefined
    const optionsJSON = await post<Parameters<typeof startRegistration>[0]['optionsJSON']>(
      'sign-up/options',
      {
        username: fields.get('username'),
        email: fields.get('email'),
      },
    )
    const response = await startRegistration({ optionsJSON })
    const { redirectTo, emailToVerify } = await post<{
      redirectTo: string
      emailToVerify?: string
    }>('sign-up', response)
    // Signed up with an address while mail is on: offered to verify it before the app.
    if (emailToVerify === undefined) window.location.assign(redirectTo)
    else offerEmailVerification(uid, emailToVerify, redirectTo)
  })
})

if (browserSupportsWebAuthn()) {
  setBusy(false)
  void browserSupportsWebAuthnAutofill().then((available) => {
    autofill = available
    startAutofill()
  })
} else {
  show(
    'This browser cannot use passkeys. Open this page in a current browser such as Chrome, Safari, Firefox or Edge.',
  )
}
