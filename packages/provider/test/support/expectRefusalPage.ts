import { visibleText } from '@passkey-id/testing/http'
import { expect } from 'vitest'

/**
 * Expects the provider's own 400 page for a sign-in or sign-out request it cannot complete: HTML,
 * no redirect anywhere. Returns the page's HTML and visible text.
 */
export async function expectRefusalPage(
  response: Response,
  kind: 'sign-in' | 'sign-out',
): Promise<{ html: string; text: string }> {
  expect(response.status).toBe(400)
  expect(response.headers.get('location')).toBeNull()
  expect(response.headers.get('content-type')).toMatch(/^text\/html/)
  const html = await response.text()
  const text = visibleText(html)
  expect(text).toContain(`This ${kind} request cannot be completed`)
  return { html, text }
}
