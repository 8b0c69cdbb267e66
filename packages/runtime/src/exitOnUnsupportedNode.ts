/**
 * The oldest Node.js that runs passkey-id: oidc-provider 9 needs 22.12, `node:sqlite` works without a
 * flag from 22.13, and the store reads a statement's columns (`StatementSync.columns()`) from 22.16.
 * The `engines` field of package.json says the same.
 */
const OLDEST = { major: 22, minor: 16 }

/**
 * Stops the process with one line that says which Node.js versions are supported and how to get
 * one, when `version` is older than 22.16. Each entry point calls it before it loads anything else,
 * because on an older Node what it loads next fails in ways that do not say why.
 */
export function exitOnUnsupportedNode(version: string = process.versions.node): void {
  const [major = 0, minor = 0] = version.split('.').map(Number)
  if (major > OLDEST.major || (major === OLDEST.major && minor >= OLDEST.minor)) return
  console.error(
    `passkey-id needs Node.js ${OLDEST.major}.${OLDEST.minor} or later (22, 24 and 26 are supported), not ${version}. ` +
      'Get Node 24 from the npm registry: npm install --prefix "$HOME/.node24" node@24 && export PATH="$HOME/.node24/node_modules/.bin:$PATH"',
  )
  process.exit(1)
}
