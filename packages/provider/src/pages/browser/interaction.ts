/**
 * The sign-in page's script: runs the passkey ceremonies with @simplewebauthn/browser and talks to
 * the interaction endpoints with JSON. Bundled by esbuild; loaded as the page's only script.
 */
import {
  browserSupportsWebAuthn,
  startAuthentication,
  startRegistration,
} from '@simplewebauthn/browser'
import { explainPasskeyError } from './explainPasskeyError.ts'
import { postJson } from './postJson.ts'

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

function post<T>(path: string, body: unknown): Promise<T> {
  return postJson<T>(`/interaction/${encodeURIComponent(uid)}/${path}`, body)
}

async function run(ceremony: () => Promise<void>): Promise<void> {
  show('')
  busy(true)
  try {
    await ceremony()
  } catch (error) {
    const { text, field } = explainPasskeyError(error)
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
