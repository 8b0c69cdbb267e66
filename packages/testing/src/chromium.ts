import { access, constants } from 'node:fs/promises'
import axe from 'axe-core'
import {
  type Browser,
  type BrowserContext,
  type CDPSession,
  chromium,
  type LaunchOptions,
  type Locator,
  type Page,
} from 'playwright-core'

/** Debian's Chromium; tests never download a browser. */
export const CHROMIUM_PATH = '/usr/bin/chromium'

/**
 * Flags for running as root on a machine without a network: no sandbox (root), no GPU, and none of
 * the background requests that would flood a closed network with refused connections.
 */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

/** Starts headless Chromium from /usr/bin/chromium, or fails saying how to install it. */
export async function launchChromium(options: LaunchOptions = {}): Promise<Browser> {
  try {
    await access(CHROMIUM_PATH, constants.X_OK)
  } catch {
    throw new Error(
      `Chromium not found at ${CHROMIUM_PATH}: install it with \`apt-get install -y chromium\` (or run .ci/run)`,
    )
  }
  return chromium.launch({
    headless: true,
    ...options,
    executablePath: CHROMIUM_PATH,
    args: [...CHROMIUM_ARGS, ...(options.args ?? [])],
  })
}

/** A CDP virtual authenticator attached to one page (target). */
export interface VirtualAuthenticator {
  session: CDPSession
  authenticatorId: string
}

/**
 * A passkey as the virtual authenticator holds it (`WebAuthn.Credential`): binary fields are base64.
 * Chromium may return more fields; they are kept as they are when the credential is imported again.
 */
export interface VirtualCredential {
  credentialId: string
  isResidentCredential: boolean
  rpId?: string
  privateKey: string
  userHandle?: string
  signCount: number
}

/**
 * Gives `page` a platform authenticator that holds discoverable credentials and verifies the user
 * without asking, so `navigator.credentials.create` and `get` complete on their own. An authenticator
 * belongs to one page: a popup is a new page and needs its own. With `userVerified: false` it is
 * present but never verifies the user: Chromium then refuses a ceremony that requires verification
 * at once with NotAllowedError, as when a person cancels the fingerprint or PIN prompt.
 */
export async function addVirtualAuthenticator(
  page: Page,
  { userVerified = true }: { userVerified?: boolean } = {},
): Promise<VirtualAuthenticator> {
  const session = await page.context().newCDPSession(page)
  await session.send('WebAuthn.enable')
  const { authenticatorId } = await session.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: userVerified,
      automaticPresenceSimulation: true,
    },
  })
  return { session, authenticatorId }
}

/** The credentials the authenticator holds; read them before its page closes. */
export async function exportCredentials({
  session,
  authenticatorId,
}: VirtualAuthenticator): Promise<VirtualCredential[]> {
  const { credentials } = await session.send('WebAuthn.getCredentials', { authenticatorId })
  return credentials
}

/** Puts credentials exported from another page's authenticator into this one. */
export async function importCredentials(
  { session, authenticatorId }: VirtualAuthenticator,
  credentials: readonly VirtualCredential[],
): Promise<void> {
  for (const credential of credentials) {
    await session.send('WebAuthn.addCredential', { authenticatorId, credential })
  }
}

/**
 * Makes the pages of `context` a browser without conditional mediation
 * (`PublicKeyCredential.isConditionalMediationAvailable()` resolves false), so the sign-in page
 * starts no autofill request and signs in by its button only. Chromium's virtual authenticator
 * answers an autofill request at once with a passkey it holds when the request starts, and leaves
 * it pending when no authenticator is attached yet: a test that attaches one while the page loads
 * (to a popup, say) would otherwise sign in by itself or not, depending on timing.
 */
export async function withoutPasskeyAutofill(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    // about:blank, where every page starts, is no secure context and has no WebAuthn.
    if (typeof PublicKeyCredential !== 'undefined')
      PublicKeyCredential.isConditionalMediationAvailable = async () => false
  })
}

/** What went wrong in the pages of a browser context, collected as it happens. */
export interface PageProblems {
  /** Content-Security-Policy violations: Chromium's message, and which directive blocked what, where. */
  cspViolations: string[]
  /** Uncaught exceptions in page scripts. */
  pageErrors: string[]
  /** Other console errors (failed resource loads and the like), with the page and resource. */
  consoleErrors: string[]
}

const CSP_MARK = 'csp-violation:'

/**
 * Records the CSP violations, uncaught errors and console errors of every page of `context`,
 * popups included, from now on. Each CSP violation is reported twice: Chromium's console message
 * (which names the hash that would allow an inline resource) and the `securitypolicyviolation`
 * event's details (effective directive, blocked resource, and the script and position that caused it).
 */
export async function watchProblems(
  context: BrowserContext,
  problems: PageProblems = { cspViolations: [], pageErrors: [], consoleErrors: [] },
): Promise<PageProblems> {
  await context.addInitScript((mark) => {
    document.addEventListener('securitypolicyviolation', (event) => {
      console.error(
        `${mark} ${event.effectiveDirective} blocked ${event.blockedURI || '(unknown)'} from ${event.sourceFile || event.documentURI}:${event.lineNumber}:${event.columnNumber} in ${event.documentURI}`,
      )
    })
  }, CSP_MARK)
  const watch = (page: Page) => {
    page.on('pageerror', (error) => problems.pageErrors.push(`${page.url()}: ${error.message}`))
    page.on('console', (message) => {
      if (message.type() !== 'error') return
      const text = message.text()
      const where = message.location().url
      if (text.startsWith(CSP_MARK)) problems.cspViolations.push(text.slice(CSP_MARK.length).trim())
      else if (/Content[- ]Security[- ]Policy/i.test(text))
        problems.cspViolations.push(`${page.url()}: ${text}`)
      else problems.consoleErrors.push(`${page.url()}: ${text}${where ? ` (${where})` : ''}`)
    })
  }
  for (const page of context.pages()) watch(page)
  context.on('page', watch)
  return problems
}

/**
 * What axe-core finds against WCAG 2 A and AA on the page as it is now, one line per rule broken,
 * naming the elements. axe runs through the DevTools protocol, so the page's CSP does not stop it.
 */
export async function accessibilityViolations(page: Page): Promise<string[]> {
  await page.evaluate(axe.source)
  const violations = await page.evaluate(async () => {
    const { axe: checker } = window as unknown as { axe: typeof axe }
    const results = await checker.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    })
    return results.violations.map(
      (violation) =>
        `${violation.id}: ${violation.help} (${violation.nodes.map((node) => node.target.join(' ')).join(', ')})`,
    )
  })
  return violations
}

// Swagger UI (swagger-ui 5 as @fastify/swagger-ui serves it), driven the way a person would.

/** Opens a Swagger UI page and waits until it has rendered its Authorize button. */
export async function openDocs(context: BrowserContext, url: string): Promise<Page> {
  const page = await context.newPage()
  const response = await page.goto(url)
  if (response?.status() !== 200) throw new Error(`${url} answered ${response?.status()}`)
  await page.locator('.auth-wrapper').getByRole('button', { name: 'Authorize' }).waitFor()
  return page
}

/** Clicks Authorize and returns the "Available authorizations" dialog. */
export async function openAuthorizeDialog(page: Page): Promise<Locator> {
  await page.locator('.auth-wrapper').getByRole('button', { name: 'Authorize' }).click()
  const dialog = page.locator('.dialog-ux')
  await dialog.getByRole('heading', { name: 'Available authorizations' }).waitFor()
  return dialog
}

/** One flow's block in the "Available authorizations" dialog, by the flow name Swagger UI shows. */
export function dialogFlow(
  dialog: Locator,
  flow: 'authorization_code with PKCE' | 'implicit',
): Locator {
  return dialog.locator('.auth-container', {
    has: dialog.page().locator('.flow code', { hasText: new RegExp(`^${flow}$`) }),
  })
}

/**
 * Clicks a flow's Authorize button in the dialog (Swagger UI labels it "Apply given OAuth2
 * credentials") and returns the sign-in popup it opens, with a promise that settles when it closes.
 */
export async function startSignIn(
  page: Page,
  flow: Locator,
): Promise<{ popup: Page; closed: Promise<void> }> {
  const opened = page.context().waitForEvent('page')
  await flow.getByRole('button', { name: 'Apply given OAuth2 credentials' }).click()
  const popup = await opened
  const closed = popup.isClosed()
    ? Promise.resolve()
    : popup.waitForEvent('close', { timeout: 0 }).then(() => undefined)
  return { popup, closed }
}

/** Expands an operation, clicks Try it out and Execute, and returns the response as shown. */
export async function executeOperation(
  page: Page,
  method: string,
  path: string,
): Promise<{ status: number; body: string; operation: Locator }> {
  const operation = page.locator(`.opblock-${method.toLowerCase()}`, {
    has: page.locator(`.opblock-summary-path[data-path=${JSON.stringify(path)}]`),
  })
  // Each step renders the next controls a moment after the click: wait for them, never probe.
  if (!(await operation.getAttribute('class'))?.split(/\s+/).includes('is-open'))
    await operation.locator('.opblock-summary').click()
  const tryOut = operation.locator('.try-out__btn:not(.reset)')
  await tryOut.waitFor()
  if (!(await tryOut.getAttribute('class'))?.includes('cancel')) await tryOut.click()
  const table = operation.locator('.live-responses-table')
  // A previous response stays on screen until the new one arrives: clear it first.
  const clear = operation.getByRole('button', { name: 'Clear' })
  if (await clear.isVisible()) await clear.click()
  await operation.getByRole('button', { name: 'Execute' }).click()
  const body = table.locator('.response-col_description .highlight-code pre').first()
  await body.waitFor()
  return {
    status: Number(
      (await table.locator('.response .response-col_status').first().textContent())?.trim(),
    ),
    body: (await body.textContent()) ?? '',
    operation,
  }
}
