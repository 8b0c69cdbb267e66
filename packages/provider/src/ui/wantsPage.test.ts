import { describe, expect, it } from 'vitest'
import { wantsPage } from './wantsPage.ts'

describe('wantsPage', () => {
  it('answers a browser opening a page or posting a form with a page', () => {
    expect(
      wantsPage('text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8'),
    ).toBe(true)
    expect(wantsPage('application/xhtml+xml')).toBe(true)
    expect(wantsPage('TEXT/HTML')).toBe(true)
  })

  it('answers scripts, apps and command-line clients with JSON', () => {
    expect(wantsPage(undefined)).toBe(false)
    expect(wantsPage('')).toBe(false)
    expect(wantsPage('*/*')).toBe(false)
    expect(wantsPage('application/json')).toBe(false)
    expect(wantsPage('application/json, text/html;q=0.5')).toBe(false)
  })

  it('prefers JSON on a tie, and ignores refused or malformed qualities', () => {
    expect(wantsPage('text/html, application/json')).toBe(false)
    expect(wantsPage('text/html;q=0')).toBe(false)
    expect(wantsPage('text/html;q=2')).toBe(false)
    expect(wantsPage('text/html;q=abc, */*;q=0.1')).toBe(false)
  })
})
