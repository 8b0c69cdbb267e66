import { explainPasskeyError } from '../../ui/browser/explainPasskeyError.ts'
import { postJson } from '../../ui/browser/postJson.ts'

/**
 * Shows the step after a sign-up with an email address (the page's `verify-email` section) in place
 * of the sign-in form, and resumes the authorization at `redirectTo` when the person is done with
 * it: after a code is verified, on its own, or at once with `Continue without verifying`. Nothing is
 * mailed until `Send verification code` is pressed; pressing it again sends a new code. A refusal
 * (a wrong code, a mail server that cannot take the message, too many tries) is shown under the step
 * and leaves it open, so the person can try again or continue without.
 */
export function offerEmailVerification(uid: string, email: string, redirectTo: string): void {
  const step = document.getElementById('verify-email') as HTMLElement
  const heading = document.getElementById('verify-heading') as HTMLElement
  const sendButton = document.getElementById('send-code') as HTMLButtonElement
  const codeForm = document.getElementById('verify-code') as HTMLFormElement
  const codeField = document.getElementById('verification-code') as HTMLInputElement
  const verifyButton = codeForm.querySelector('button') as HTMLButtonElement
  const skipButton = document.getElementById('skip-verify') as HTMLButtonElement
  const status = document.getElementById('verify-status') as HTMLParagraphElement
  const message = document.getElementById('message') as HTMLParagraphElement
  const buttons = [sendButton, verifyButton, skipButton]

  const post = <T>(path: string, body: unknown) =>
    postJson<T>(`/interaction/${encodeURIComponent(uid)}/email/${path}`, body)

  /** Runs one request with the buttons disabled; says why it failed, marking the code if asked. */
  async function run(action: () => Promise<void>, codeInvalid = false): Promise<void> {
    message.textContent = ''
    codeField.setAttribute('aria-invalid', 'false')
    for (const button of buttons) button.disabled = true
    try {
      await action()
    } catch (error) {
      message.textContent = explainPasskeyError(error).text
      if (codeInvalid) {
        codeField.setAttribute('aria-invalid', 'true')
        codeField.focus()
      }
      for (const button of buttons) button.disabled = false
    }
  }

  sendButton.addEventListener('click', () =>
    run(async () => {
      await post<{ sent: true }>('send-code', {})
      status.textContent = `A 6-digit code is on its way to ${email}. Enter it below: it works for 10 minutes.`
      sendButton.classList.remove('primary')
      codeForm.hidden = false
      for (const button of buttons) button.disabled = false
      codeField.focus()
    }),
  )

  codeForm.addEventListener('submit', (event) => {
    event.preventDefault()
    return run(async () => {
      await post<{ verified: true }>('verify', { code: codeField.value })
      status.textContent = 'Your email address is verified. Continuing…'
      window.location.assign(redirectTo)
    }, true)
  })

  skipButton.addEventListener('click', () => {
    for (const button of buttons) button.disabled = true
    window.location.assign(redirectTo)
  })

  ;(document.getElementById('verify-address') as HTMLElement).textContent = email
  ;(document.getElementById('sign-up') as HTMLFormElement).hidden = true
  step.hidden = false
  heading.focus()
}
