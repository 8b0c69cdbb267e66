// `@passkey-id/testing/processes`: real processes and sockets a test can signal, stop and cut: the
// provider's CLI in a process of its own (a server, or a command run to its end), a private
// PostgreSQL cluster, a TCP proxy, a round-robin HTTP proxy in front of several instances. Node only.
export * from './runProviderCommand.ts'
export * from './spawnProviderCli.ts'
export * from './startPrivatePostgres.ts'
export * from './startProviderProcess.ts'
export * from './startRoundRobinProxy.ts'
export * from './startTcpProxy.ts'
