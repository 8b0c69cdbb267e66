import { afterEach, describe, expect, it, vi } from 'vitest'
import { exitOnUnsupportedNode } from './exitOnUnsupportedNode.ts'

describe('exitOnUnsupportedNode', () => {
  afterEach(() => {
    vi.restoreAllMocks()
  })

  /** Runs the check for `version`, and returns what it printed if it stopped the process. */
  function check(version: string): string | undefined {
    const printed: string[] = []
    vi.spyOn(console, 'error').mockImplementation((line: string) => printed.push(line))
    vi.spyOn(process, 'exit').mockImplementation((code) => {
      throw new Error(`exit ${code}`)
    })
    try {
      exitOnUnsupportedNode(version)
      return undefined
    } catch (error) {
      expect(error).toEqual(new Error('exit 1'))
      return printed.join('\n')
    }
  }

  it('lets 22.16 and every later version through', () => {
    for (const version of [
      '22.16.0',
      '22.23.3',
      '23.11.1',
      '24.0.0',
      '24.21.0',
      '26.10.0',
      '28.1.0',
    ])
      expect(check(version), version).toBeUndefined()
  })

  it('stops older versions with one line: what is supported, what runs, and how to get Node 24', () => {
    for (const version of ['22.15.1', '22.13.0', '22.0.0', '20.20.2', '18.20.8']) {
      const line = check(version)
      expect(line).toContain('needs Node.js 22.16 or later (22, 24 and 26 are supported)')
      expect(line).toContain(`not ${version}.`)
      expect(line).toContain('npm install --prefix "$HOME/.node24" node@24')
      expect(line).not.toContain('\n')
    }
  })

  it('reads the running Node by default', () => {
    expect(check(process.versions.node)).toBeUndefined()
  })
})
