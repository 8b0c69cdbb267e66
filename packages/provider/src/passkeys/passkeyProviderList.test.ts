import { readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { PASSKEY_PROVIDER_LIST_FILE, passkeyProviderList } from './passkeyProviderList.ts'

describe('passkeyProviderList', () => {
  it('reads the shipped copy once, every entry of it a name (a broken refresh fails here)', async () => {
    const list = passkeyProviderList()
    expect(passkeyProviderList()).toBe(list)
    const shipped = JSON.parse(await readFile(PASSKEY_PROVIDER_LIST_FILE, 'utf8')) as object
    // The refresh script writes only entries that pass the checks: none is dropped on reading.
    expect(list.size).toBe(Object.keys(shipped).length)
    for (const provider of list.values()) expect(provider.name).not.toBe('')
  })
})
