// The import rules of docs/architecture.md, checked by `npm run lint`.
// Imports run one way: a package or folder imports only what sits below it, and nothing imports in a
// circle. Type-only imports count too (tsPreCompilationDeps), because a type that points upward ties
// the layers together just as much as a value does. Tests, benchmarks and their helpers are left out:
// they sit above everything and may reach anywhere.

const PACKAGES = {
  runtime: '^packages/runtime/',
  store: '^packages/store/',
  provider: '^packages/provider/',
  fastify: '^packages/fastify/',
  authenticator: '^packages/authenticator/',
  testing: '^packages/testing/',
  demo: '^examples/demo/',
}
const WORKSPACE = '^(packages|examples)/'

// A workspace package may import only itself and the packages named here.
function packageImportsOnly(name, allowed, why) {
  return {
    name: `${name}-imports-only-${allowed.length > 0 ? allowed.join('-') : 'itself'}`,
    severity: 'error',
    comment: why,
    from: { path: PACKAGES[name] },
    to: { path: WORKSPACE, pathNot: [name, ...allowed].map((each) => PACKAGES[each]) },
  }
}

// packages/provider/src, bottom to top. Folders on one row are siblings: they never import each other.
const PROVIDER = '^packages/provider/src/'
const PROVIDER_LAYERS = [
  ['config.ts', 'errors/', 'oidcProviderLibrary.ts'],
  ['profile/'],
  ['store/'],
  ['accounts/', 'events/'],
  ['passkeys/', 'keys/'],
  ['ui/', 'mail/'],
  ['limits/'],
  ['verification/'],
  ['oidc/'],
  ['interaction/', 'account-page/', 'recovery/', 'health/', 'operator/'],
  ['createProviderServer.ts', 'startProvider.ts', 'cli.ts', 'index.ts'],
]
// Parts of one row that may import each other: the row of config.ts, errors/ and oidc-provider
// itself (loaded by oidcProviderLibrary.ts) is the foundation,
// and the entry files at the top call one another (cli.ts starts startProvider.ts, and so on).
const ROWS_THAT_SHARE = new Set([0, PROVIDER_LAYERS.length - 1])

const pathOf = (part) => PROVIDER + part.replace('.', '\\.') + (part.endsWith('/') ? '' : '$')
const describe = (parts) => parts.join(', ')

const providerLayerRules = PROVIDER_LAYERS.flatMap((row, index) => {
  const below = PROVIDER_LAYERS.slice(0, index).flat()
  const above = PROVIDER_LAYERS.slice(index + 1).flat()
  const rules = []
  if (above.length > 0) {
    rules.push({
      name: `provider-${row[0].replace(/\W+$/, '').replace(/\W/g, '-')}-imports-upward`,
      severity: 'error',
      comment:
        `In packages/provider/src, ${describe(row)} ` +
        (below.length > 0
          ? `may import only the layers below: ${describe(below)}`
          : 'are the bottom layer and import no other part of it') +
        ' (docs/architecture.md). Move the code both need down into the lower layer, or have the ' +
        'higher one pass it in.',
      from: { path: row.map(pathOf) },
      to: { path: above.map(pathOf) },
    })
  }
  if (!ROWS_THAT_SHARE.has(index)) {
    for (const part of row) {
      const siblings = row.filter((other) => other !== part)
      if (siblings.length === 0) continue
      rules.push({
        name: `provider-${part.replace(/\W+$/, '')}-imports-sibling`,
        severity: 'error',
        comment:
          `${part} in packages/provider/src may not import ${describe(siblings)}: they are side by ` +
          'side in the same layer (docs/architecture.md). Move what both need down a layer.',
        from: { path: pathOf(part) },
        to: { path: siblings.map(pathOf) },
      })
    }
  }
  return rules
})

const PROVIDER_PLACED = PROVIDER_LAYERS.flat().map(pathOf)

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment:
        'This import closes a circle of imports. Break it: move what both files need into a third ' +
        'file below them both, or have the lower file take it as a parameter.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-unresolvable',
      severity: 'error',
      comment:
        'This import does not resolve, so no rule can check it. Fix the path, or add the package ' +
        'to the importing package.json.',
      from: {},
      to: { couldNotResolve: true },
    },

    packageImportsOnly(
      'runtime',
      [],
      'packages/runtime is the bottom layer: it may not import any other workspace package. Move ' +
        'the code it needs down into runtime, or keep it in the package that uses it.',
    ),
    packageImportsOnly(
      'store',
      ['runtime'],
      'packages/store may import only @passkey-id/runtime. Code that needs the provider or the ' +
        'plugin belongs in that package.',
    ),
    packageImportsOnly(
      'provider',
      ['runtime', 'store'],
      'packages/provider may import only @passkey-id/runtime and @passkey-id/store. Tests reach ' +
        '@passkey-id/testing from test files, not from src.',
    ),
    packageImportsOnly(
      'fastify',
      ['runtime', 'store'],
      'packages/fastify may import only @passkey-id/runtime and @passkey-id/store. It never imports ' +
        '@passkey-id/provider: it works with any OpenID provider and talks to ours over HTTP only.',
    ),
    packageImportsOnly(
      'demo',
      ['fastify', 'runtime'],
      'The demo is an app like any other: it may import only @passkey-id/fastify and ' +
        '@passkey-id/runtime. Anything else it needs belongs in the plugin.',
    ),
    packageImportsOnly(
      'authenticator',
      [],
      'packages/authenticator stands alone for tests, scripts and the benchmark: it may not import ' +
        'any workspace package. Take what it needs as a parameter.',
    ),
    packageImportsOnly(
      'testing',
      ['provider', 'demo', 'authenticator', 'runtime'],
      'packages/testing may import only @passkey-id/provider, @passkey-id/demo, ' +
        '@passkey-id/authenticator and @passkey-id/runtime, through their public entry points.',
    ),
    {
      name: 'authenticator-no-test-framework',
      severity: 'error',
      comment:
        'packages/authenticator is used outside tests (scripts, the benchmark): it may not import a ' +
        'test framework. Throw an Error, and let the caller assert.',
      from: { path: PACKAGES.authenticator },
      to: {
        path: [
          '(^|/)node_modules/(vitest|@vitest/|jest|@jest/|mocha|chai|jasmine|ava|tap|uvu|playwright|@playwright/)',
        ],
      },
    },
    {
      name: 'authenticator-no-node-test',
      severity: 'error',
      comment:
        'packages/authenticator is used outside tests: it may not import node:test. Throw an Error, ' +
        'and let the caller assert.',
      from: { path: PACKAGES.authenticator },
      to: { dependencyTypes: ['core'], path: '^(node:)?test$' },
    },
    {
      name: 'only-tests-import-testing',
      severity: 'error',
      comment:
        '@passkey-id/testing holds test fixtures (vitest, Chromium): only tests, bench/ and ' +
        'scripts/screenshots.ts may import it. Move what the source needs into the source package.',
      from: { pathNot: [PACKAGES.testing, '^scripts/screenshots\\.ts$'] },
      to: { path: PACKAGES.testing },
    },

    {
      name: 'provider-loads-oidc-provider-in-one-place',
      severity: 'error',
      comment:
        'oidc-provider is loaded by packages/provider/src/oidcProviderLibrary.ts only (it holds back ' +
        'the library\'s "Unsupported runtime" line on Node 26): import its values from there; ' +
        '`import type` from oidc-provider is fine.',
      from: { path: PROVIDER, pathNot: ['oidcProviderLibrary\\.ts$', '\\.test\\.ts$'] },
      to: { path: '(^|/)node_modules/oidc-provider/', dependencyTypesNot: ['type-only'] },
    },
    ...providerLayerRules,
    {
      name: 'provider-file-outside-layers',
      severity: 'error',
      comment:
        'Every file in packages/provider/src belongs to one of the layers listed in ' +
        '.dependency-cruiser.cjs and docs/architecture.md. Move this file into one, or add its ' +
        'folder to PROVIDER_LAYERS in both.',
      from: { path: PROVIDER, pathNot: PROVIDER_PLACED },
      to: {},
    },
    {
      name: 'provider-import-outside-layers',
      severity: 'error',
      comment:
        'This file in packages/provider/src belongs to none of the layers listed in ' +
        '.dependency-cruiser.cjs and docs/architecture.md. Move it into one, or add its folder to ' +
        'PROVIDER_LAYERS in both.',
      from: {},
      to: { path: PROVIDER, pathNot: PROVIDER_PLACED },
    },
    {
      name: 'browser-scripts-stay-in-the-browser',
      severity: 'error',
      comment:
        'A browser script (*/browser/*.ts) is bundled for the page by esbuild: it may import only ' +
        'other browser scripts and @simplewebauthn/browser. Copy what it needs into a browser/ ' +
        'folder, or send it from the server in the page.',
      from: { path: '/browser/[^/]+\\.ts$' },
      to: { pathNot: ['/browser/[^/]+\\.ts$', '(^|/)node_modules/@simplewebauthn/browser/'] },
    },
  ],
  options: {
    // Tests, their helpers and benchmarks may import anything; the rules are for the code that ships.
    exclude: {
      path: ['\\.test\\.ts$', '^packages/[^/]+/test/', '^tests/', '^bench/'],
    },
    doNotFollow: { path: ['(^|/)node_modules/'] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
    reporterOptions: {
      text: { highlightFocused: true },
    },
  },
}
