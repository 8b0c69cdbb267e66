import { describe, expect, it } from 'vitest'
import { asksForHelp } from './asksForHelp.ts'

describe('asksForHelp', () => {
  it('is --help or -h anywhere, or help as the first word', () => {
    for (const args of [
      ['--help'],
      ['-h'],
      ['help'],
      ['list', '--help'],
      ['copy', '--from', 'x', '-h'],
    ])
      expect(asksForHelp(args), args.join(' ')).toBe(true)
  })

  it('is nothing else: no arguments, a command, help as an argument of one', () => {
    for (const args of [[], ['list'], ['show', 'help'], ['--helpful'], ['copy', '--from', 'help']])
      expect(asksForHelp(args), args.join(' ')).toBe(false)
  })
})
