// `@passkey-id/testing/http`: HTTP without a server of ours, so it loads neither the provider nor
// a test framework (the benchmark uses it too).
export * from './freePort.ts'
export * from './rawRequest.ts'
export * from './StalledClient.ts'
export * from './TestBrowser.ts'
export * from './tamperSignature.ts'
export * from './visibleText.ts'
