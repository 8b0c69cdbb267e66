import type * as NodeSqlite from 'node:sqlite'

/**
 * Loads Node's built-in SQLite module (`node:sqlite`), keeping back the one warning Node 22 prints
 * when it is first loaded ("ExperimentalWarning: SQLite is an experimental feature").
 *
 * A person running the provider can do nothing about that warning, and Node 24 and later no longer
 * print it. Only that warning, and only while this function loads the module, is kept back: every
 * other warning, before, during and after, is emitted as usual, and `--no-warnings` is not needed.
 * Node emits it through `process.emitWarning` synchronously, once per process, which is why the
 * module is loaded here with `process.getBuiltinModule` rather than by a static import.
 */
export function loadNodeSqlite(): typeof NodeSqlite {
  const emitWarning = process.emitWarning
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    if (!isSqliteExperimentalWarning(warning, rest[0]))
      Reflect.apply(emitWarning, process, [warning, ...rest])
  }) as typeof process.emitWarning
  try {
    return process.getBuiltinModule('node:sqlite')
  } finally {
    process.emitWarning = emitWarning
  }
}

/** Whether `process.emitWarning(warning, typeOrOptions)` would print node:sqlite's ExperimentalWarning. */
function isSqliteExperimentalWarning(warning: string | Error, typeOrOptions: unknown): boolean {
  const type =
    typeof typeOrOptions === 'string'
      ? typeOrOptions
      : (typeOrOptions as { type?: unknown } | undefined)?.type
  const message = typeof warning === 'string' ? warning : warning.message
  return type === 'ExperimentalWarning' && message.startsWith('SQLite is an experimental feature')
}
