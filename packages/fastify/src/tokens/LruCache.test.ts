import { describe, expect, it } from 'vitest'
import { LruCache } from './LruCache.ts'

describe('LruCache', () => {
  it('returns what it holds until the entry expires', () => {
    const cache = new LruCache<string, number>(10)
    cache.set('a', 1, 1_000)
    expect(cache.get('a', 999)).toBe(1)
    expect(cache.get('a', 1_000)).toBeUndefined()
    expect(cache.size).toBe(0)
  })

  it('evicts the least recently used entry when full', () => {
    const cache = new LruCache<string, number>(2)
    cache.set('a', 1, Number.MAX_SAFE_INTEGER)
    cache.set('b', 2, Number.MAX_SAFE_INTEGER)
    expect(cache.get('a')).toBe(1)
    cache.set('c', 3, Number.MAX_SAFE_INTEGER)
    expect(cache.get('b')).toBeUndefined()
    expect(cache.get('a')).toBe(1)
    expect(cache.get('c')).toBe(3)
    expect(cache.size).toBe(2)
  })
})
