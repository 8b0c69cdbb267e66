/** SimpleWebAuthn's server module, once it has been asked for. */
let loading: Promise<typeof import('@simplewebauthn/server')> | undefined

/**
 * SimpleWebAuthn's server module, loaded at the first passkey ceremony rather than when the server
 * starts: a fifth of what a start loads (bench/results.md, "Start-up"), and no page or token request
 * before a passkey needs it. The promise is kept: an `import()` of a module already loaded still goes
 * through the module loader's resolution (tsx's hooks included), a few hundredths of a millisecond
 * per ceremony step for nothing.
 */
export function loadSimpleWebAuthn(): Promise<typeof import('@simplewebauthn/server')> {
  loading ??= import('@simplewebauthn/server')
  return loading
}
