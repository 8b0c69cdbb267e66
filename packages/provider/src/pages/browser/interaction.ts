/**
 * The sign-in page's script: runs the passkey ceremonies with @simplewebauthn/browser and talks to
 * the interaction endpoints with JSON. Bundled by esbuild; loaded as the page's only script.
 */
import {
  browserSupportsWebAuthn,
  startAuthentication,
  startRegistration,
} from '@simplewebauthn/browser'

interface ErrorBody {
  message?: string
  field?: string
}

const section = document.getElementById('interaction')
const uid = section?.dataset.interactionUid ?? ''
const message = document.getElementById('message') as HTMLParagraphElement
const signInButton = document.getElementById('sign-in') as HTMLButtonElement
const signUpForm = document.getElementById('sign-up') as HTMLFormElement
const buttons = [signInButton, signUpForm.querySelector('button') as HTMLButtonElement]

function show(text: string, field?: string): void {
  message.textContent = text
  for (const input of signUpForm.querySelectorAll('input')) {
    input.setAttribute('aria-invalid', String(input.name === field))
    if (input.name === field) input.focus()
  }
}

function busy(on: boolean): void {
  for (const button of buttons) button.disabled = on
}

async function post<T>(path: string, body: unknown): Promise<T> {
  const response = await fetch(`/interaction/${encodeURIComponent(uid)}/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify(body),
    credentials: 'same-origin',
  })
  const data = (await response.json().catch(() => ({}))) as T & ErrorBody
  if (!response.ok) {
    throw Object.assign(
      new Error(data.message ?? `The server answered ${response.status}. Try again.`),
      {
        field: data.field,
      },
    )
  }
  return data
}

/** What the browser's own WebAuthn errors mean to a person. */
function explain(error: unknown): { text: string; field?: string } {
  if (error instanceof Error) {
    const name = (error as { cause?: { name?: string } }).cause?.name ?? error.name
    if (name === 'NotAllowedError' || name === 'AbortError') {
      return {
        text: 'The passkey request was cancelled or timed out. Try again when you are ready.',
      }
    }
    if (name === 'InvalidStateError') {
      return { text: 'This device already holds a passkey for this site. Sign in with it instead.' }
    }
    return { text: error.message, field: (error as { field?: string }).field }
  }
  return { text: 'Something went wrong. Try again.' }
}

async function run(ceremony: () => Promise<void>): Promise<void> {
  show('')
  busy(true)
  try {
    await ceremony()
  } catch (error) {
    const { text, field } = explain(error)
    show(text, field)
    busy(false)
  }
}

signInButton.addEventListener('click', () =>
  run(async () => {
    const optionsJSON = await post<Parameters<typeof startAuthentication>[0]['optionsJSON']>(
      'sign-in/options',
      {},
    )
    const response = await startAuthentication({ optionsJSON })
    const { redirectTo } = await post<{ redirectTo: string }>('sign-in', response)
    window.location.assign(redirectTo)
  }),
)

signUpForm.addEventListener('submit', (event) => {
  event.preventDefault()
  const form = new FormData(signUpForm)
  return run(async () => {
    const optionsJSON = await post<Parameters<typeof startRegistration>[0]['optionsJSON']>(
      'sign-up/options',
      {
        username: form.get('username'),
        email: form.get('email'),
      },
    )
    const response = await startRegistration({ optionsJSON })
    const { redirectTo } = await post<{ redirectTo: string }>('sign-up', response)
    window.location.assign(redirectTo)
  })
})

if (browserSupportsWebAuthn()) {
  busy(false)
} else {
  show(
    'This browser cannot use passkeys. Open this page in a current browser such as Chrome, Safari, Firefox or Edge.',
  )
}
