// `@passkey-id/testing/mail`: a real SMTP server in the test process that keeps what it receives,
// and a server that accepts connections and never answers (a mail server that hangs).
export * from './startSilentServer.ts'
export * from './startTestSmtpServer.ts'
