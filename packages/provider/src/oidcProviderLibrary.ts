/**
 * oidc-provider, loaded once for every module of the provider that uses its values.
 *
 * It is loaded here, and not by a plain `import ... from 'oidc-provider'`, for one line: when it is
 * first loaded it prints "oidc-provider WARNING: Unsupported runtime" on any Node.js release that
 * is not marked long-term support yet (`process.release.lts`), which Node 26 was until October and
 * which the npm registry's `node@26` still is. passkey-id supports and tests Node 26, so that line
 * would be a warning a person cannot act on. Only that line is held back, only while the library
 * loads; an older Node never gets here (`exitOnUnsupportedNode` stops it first).
 */
const UNSUPPORTED_RUNTIME = 'oidc-provider WARNING: Unsupported runtime.'

const warn = console.warn
console.warn = (...args: unknown[]) => {
  // The library colours the line when stderr is a terminal, so it is matched anywhere in the text.
  if (typeof args[0] === 'string' && args[0].includes(UNSUPPORTED_RUNTIME)) return
  Reflect.apply(warn, console, args)
}
const library = await import('oidc-provider').finally(() => {
  console.warn = warn
})

/** oidc-provider's `Provider` class. */
export const Provider = library.default
/** oidc-provider's error classes (`errors.InvalidGrant`, ...). */
export const errors = library.errors
/** oidc-provider's prompts and checks. */
export const interactionPolicy = library.interactionPolicy
/** An instance of oidc-provider's `Provider`. */
export type Provider = import('oidc-provider').default
