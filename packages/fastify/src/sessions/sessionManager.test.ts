import { describe, expect, it } from 'vitest'
import { sessionManager } from './sessionManager.ts'

describe('sessionManager', () => {
  it('says how to turn sessions on when they are off', async () => {
    const sessions = sessionManager(undefined)
    await expect(sessions.list('someone')).rejects.toThrow(
      /which are off: register passkeyId with `sessions: true`/,
    )
    await expect(sessions.endAll('someone')).rejects.toThrow(/which are off/)
  })
})
