import { mkdir } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import {
  addVirtualAuthenticator,
  dialogFlow,
  executeOperation,
  launchChromium,
  openAuthorizeDialog,
  openDocs,
  startSignIn,
  watchProblems,
  withoutPasskeyAutofill,
} from '@passkey-id/testing/chromium'
import { startTestDemo } from '@passkey-id/testing/demo'
import { startTestSmtpServer } from '@passkey-id/testing/mail'
import { startTestProvider } from '@passkey-id/testing/provider'

// `npx tsx scripts/screenshots.ts`: the README's screenshots, taken in headless Chromium while
// signing up from the demo's docs, with a provider and demo of its own (on the quick start's ports
// 8080 and 8000, so the pictures match what a reader sees; stop `npm start` first) and a fresh database.
const folder = fileURLToPath(new URL('../docs/screenshots/', import.meta.url))
await mkdir(folder, { recursive: true })
const shot = (name: string) => ({ path: `${folder}${name}`, animations: 'disabled' as const })

// Mail goes to a real SMTP server in this process, which hands the code and the link to the script.
const smtp = await startTestSmtpServer()
const provider = await startTestProvider({ PORT: '8080', SMTP_URL: smtp.url })
const demo = await startTestDemo(provider, 8000)
const appUrl = demo.url
const browser = await launchChromium()
try {
  const context = await browser.newContext({ viewport: { width: 900, height: 800 } })
  const problems = await watchProblems(context)
  // The authenticator is attached after the sign-in page loads: its autofill request would race it.
  await withoutPasskeyAutofill(context)
  const docs = await openDocs(context, `${appUrl}/docs`)

  const dialog = await openAuthorizeDialog(docs)
  await docs.screenshot(shot('docs-authorize.png'))

  const { popup, closed } = await startSignIn(
    docs,
    dialogFlow(dialog, 'authorization_code with PKCE'),
  )
  await popup.setViewportSize({ width: 520, height: 760 })
  await addVirtualAuthenticator(popup)
  // The page's script runs before DOMContentLoaded: wait for it before using the form.
  await popup.getByLabel('Username').waitFor()
  await popup.waitForLoadState('domcontentloaded')
  await popup.getByLabel('Username').fill('ada')
  await popup.getByLabel('Email (optional)').fill('ada@example.com')
  await popup.screenshot(shot('provider-sign-in.png'))

  await popup.getByRole('button', { name: 'Create account' }).click()

  // The step a sign-up with an address offers: the code mailed on request, typed in.
  await popup.getByRole('button', { name: 'Send verification code' }).click()
  const codeMail = await smtp.nextMessage({ since: 0 })
  const code = /^\s+(\d{6})$/m.exec(codeMail.text)?.[1] ?? ''
  await popup.getByRole('textbox', { name: 'Verification code' }).fill(code)
  await popup.screenshot(shot('provider-verify-email.png'))
  await popup.getByRole('button', { name: 'Verify', exact: true }).click()

  const allow = popup.getByRole('button', { name: 'Allow' })
  await allow.waitFor()
  await popup.screenshot(shot('provider-consent.png'))
  await allow.click()
  await closed

  await dialog.getByRole('heading', { name: 'Authorized' }).first().waitFor()
  await dialog.getByRole('button', { name: 'Close' }).first().click()
  const { status, operation } = await executeOperation(docs, 'GET', '/userinfo')
  if (status !== 200) throw new Error(`GET /userinfo answered ${status}`)
  await operation.locator('.live-responses-table').evaluate((table) => {
    table.scrollIntoView({ block: 'center' })
  })
  await docs.screenshot(shot('docs-userinfo.png'))

  // The account page, in a phone-sized window of the same browser profile (signed in by the popup).
  const account = await context.newPage()
  await account.setViewportSize({ width: 390, height: 844 })
  await account.goto(`${provider.url}/account`)
  await account.getByLabel('Full name').fill('Ada Lovelace')
  await account.getByLabel('Time zone').fill('Europe/London')
  await account.getByRole('button', { name: 'Save profile' }).click()
  await account.getByRole('status').filter({ hasText: 'saved' }).waitFor()
  await account.evaluate(() => window.scrollTo(0, 0))
  await account.screenshot(shot('account-profile.png'))
  await account.evaluate(() => document.getElementById('passkeys')?.scrollIntoView())
  await account.screenshot(shot('account-passkeys.png'))

  // Recovery, on a phone of a new browser profile that holds no passkey: the form, then the link's page.
  const lost = await browser.newContext({ viewport: { width: 390, height: 844 } })
  await watchProblems(lost, problems)
  const recovery = await lost.newPage()
  await recovery.goto(`${provider.url}/recovery`)
  await recovery.getByLabel('Username or email').fill('ada@example.com')
  await recovery.screenshot(shot('recovery-request.png'))
  const sent = smtp.messages.length
  await recovery.getByRole('button', { name: 'Send recovery link' }).click()
  const linkMail = await smtp.nextMessage({ since: sent })
  const link = /https?:\/\/\S+\/recovery\/link\S*/.exec(linkMail.text)?.[0] ?? ''
  await recovery.goto(link)
  await recovery.getByRole('button', { name: 'Create a new passkey' }).waitFor()
  await recovery.screenshot(shot('recovery-link.png'))

  for (const problem of [...problems.cspViolations, ...problems.pageErrors])
    console.warn(`warning: ${problem}`)
  console.log(`screenshots written to ${folder}`)
} finally {
  await browser.close()
  await demo.close()
  await provider.close()
  await smtp.close()
}
