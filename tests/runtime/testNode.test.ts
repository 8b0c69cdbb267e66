import { describe, expect, it } from 'vitest'

describe('the Node running the tests', () => {
  const expected = process.env.PASSKEY_ID_EXPECT_NODE
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number)

  // .ci/run runs the suite once per supported Node and says which one in PASSKEY_ID_EXPECT_NODE:
  // this fails if the workers run another (a PATH that did not take, a runner with its own Node).
  it(`is Node ${expected ?? '22.16 or later'}`, () => {
    if (expected !== undefined) expect(String(major)).toBe(expected)
    else expect(major > 22 || (major === 22 && minor >= 16)).toBe(true)
  })
})
