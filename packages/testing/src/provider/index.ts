// `@passkey-id/testing/provider`: the provider itself on an ephemeral port, in this process, and a
// vitest fixture with an account already signed up.
export * from './providerWithAccount.ts'
export * from './startTestProvider.ts'
export * from './testPasskeyProviders.ts'
