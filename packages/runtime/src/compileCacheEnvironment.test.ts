import { execFileSync } from 'node:child_process'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { compileCacheEnvironment } from './compileCacheEnvironment.ts'

describe('compileCacheEnvironment', () => {
  it("names the folder module.enableCompileCache() uses, unless the person's environment names one", () => {
    expect(compileCacheEnvironment({})).toEqual({
      NODE_COMPILE_CACHE: join(tmpdir(), 'node-compile-cache'),
    })
    expect(compileCacheEnvironment({ NODE_COMPILE_CACHE: '/srv/cache' })).toEqual({
      NODE_COMPILE_CACHE: '/srv/cache',
    })
  })

  it('turns the cache on in a child process from its first module', () => {
    const folder = execFileSync(
      process.execPath,
      ['-e', "console.log(require('node:module').getCompileCacheDir())"],
      { env: { ...process.env, ...compileCacheEnvironment({}) }, encoding: 'utf8' },
    )
    expect(folder.trim()).toMatch(/node-compile-cache/)
  })
})
