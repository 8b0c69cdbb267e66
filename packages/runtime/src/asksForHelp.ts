/**
 * Whether a command line asks for its usage rather than for work: `--help` or `-h` anywhere, or
 * `help` as the first word. One rule for every command of the provider's CLI, so that `--help`
 * never runs a command (a `migrate --help` that migrated would surprise anyone).
 */
export function asksForHelp(args: readonly string[]): boolean {
  return args[0] === 'help' || args.includes('--help') || args.includes('-h')
}
