/**
 * Loaded into a provider process (`--import`, after tsx) by the benchmark's memory part: it answers
 * `HEAP_SPACES` on the IPC channel with what V8 has reserved for each space of its heap, to tell
 * how much of the process's RSS is heap V8 sized for the load (its young generation grows under a
 * high allocation rate) rather than objects kept alive.
 */
import { getHeapSpaceStatistics } from 'node:v8'
import { HEAP_SPACES, type HeapSpaces } from './heapSpaces.ts'

process.on('message', (message) => {
  if (message !== HEAP_SPACES) return
  const { heapTotal, external, rss } = process.memoryUsage()
  const spaces: HeapSpaces = {
    spaceSize: Object.fromEntries(
      getHeapSpaceStatistics().map((space) => [space.space_name, space.space_size]),
    ),
    heapTotal,
    external,
    rss,
  }
  process.send?.({ answers: HEAP_SPACES, spaces })
})
