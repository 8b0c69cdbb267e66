/** The message a server sends `npm start` once it listens. */
export const READY = 'ready'

/**
 * Tells `npm start` (scripts/start.ts), when it runs this server as a child process, that the
 * server is listening, so that it prints the addresses once both servers answer. Should `npm start`
 * itself be killed outright, with no chance to stop its servers, this one stops as on Ctrl-C rather
 * than keep its port. Run alone, a server has no parent to tell, and this does nothing.
 */
export function reportReady(): void {
  if (process.send === undefined) return
  process.send(READY)
  process.once('disconnect', () => process.kill(process.pid, 'SIGTERM'))
  // Listening for 'disconnect' holds the process open; the server alone decides when it ends.
  process.channel?.unref()
}
