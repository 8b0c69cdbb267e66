import type { TsServer } from './processes.ts'

/** The question a process loaded with `heapSpacesProbe.ts` answers with its `HeapSpaces`. */
export const HEAP_SPACES = 'bench:heap-spaces'

/** Where a process's memory is, in bytes, as V8 and Node see it when asked. */
export interface HeapSpaces {
  /** What V8 has reserved for each space of its heap (`space_size`), by the space's name. */
  spaceSize: Record<string, number>
  /** All of V8's heap reserved, and what Node counts outside it (buffers, native objects). */
  heapTotal: number
  external: number
  rss: number
}

/** The heap spaces of a server started with `imports: ['bench/heapSpacesProbe.ts']`. */
export async function askHeapSpaces(server: TsServer): Promise<HeapSpaces> {
  const { spaces } = (await server.ask(HEAP_SPACES)) as { answers: string; spaces: HeapSpaces }
  return spaces
}
