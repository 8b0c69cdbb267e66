import { describe, expect, it } from 'vitest'
import { memoryCounterStore } from './memoryCounterStore.ts'

describe('memoryCounterStore', () => {
  it('counts in a fixed window, never below 0, and starts again when it closes', async () => {
    let now = 1_000
    const store = memoryCounterStore(10, () => now)
    expect(await store.add('k', 1, 500)).toEqual({ count: 1, resetAt: 1_500 })
    expect(await store.add('k', 1, 500)).toEqual({ count: 2, resetAt: 1_500 })
    expect(await store.add('k', -5, 500)).toEqual({ count: 0, resetAt: 1_500 })
    now = 1_500
    expect(await store.add('k', 1, 500)).toEqual({ count: 1, resetAt: 2_000 })
  })

  it('holds at most maxKeys, dropping closed windows first, then the oldest', async () => {
    let now = 0
    const store = memoryCounterStore(3, () => now)
    await store.add('short', 1, 10)
    await store.add('a', 1, 1_000)
    await store.add('b', 1, 1_000)
    now = 20
    await store.add('c', 1, 1_000)
    await store.add('d', 1, 1_000)
    // "short" closed and went first; then "a", the oldest, made room for "d".
    expect((await store.add('b', 1, 1_000)).count).toBe(2)
    expect((await store.add('a', 1, 1_000)).count).toBe(1)
  })

  it('sweeps a full map at most once a second; in between, the oldest makes room', async () => {
    let now = 0
    const store = memoryCounterStore(2, () => now)
    await store.add('x', 1, 10)
    await store.add('y', 1, 10)
    now = 20
    await store.add('z', 1, 1_000) // swept: x and y closed
    await store.add('p', 1, 10)
    now = 40
    // p has closed, but the last sweep was 20 ms ago: z, the oldest, goes instead.
    await store.add('q', 1, 1_000)
    expect((await store.add('z', 1, 1_000)).count).toBe(1)
  })
})
