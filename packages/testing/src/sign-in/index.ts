// `@passkey-id/testing/sign-in`: an app and a person signing in through a running provider's pages
// over HTTP. It loads neither the provider nor a test framework, so a benchmark or a script that
// talks to a provider in another process can use it.
export * from './openAccountPage.ts'
export * from './openInteraction.ts'
export * from './readInteractionPage.ts'
export * from './relyingParty.ts'
export * from './signInThroughProvider.ts'
