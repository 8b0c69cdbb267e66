import { describe, expect, it } from 'vitest'
import { html, trustedHtml } from './html.ts'

describe('html', () => {
  it('escapes interpolated text', () => {
    const name = '<script>alert("x")</script>'
    expect(html`<p title="${name}">${name}</p>`.value).toBe(
      '<p title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;</p>',
    )
  })

  it('keeps nested templates and joins lists', () => {
    const items = ['a&b', 'c'].map((item) => html`<li>${item}</li>`)
    expect(html`<ul>${items}</ul>`.value).toBe('<ul><li>a&amp;b</li><li>c</li></ul>')
    expect(html`${trustedHtml('<b>x</b>')}${null}${false}${undefined}${0}`.value).toBe('<b>x</b>0')
  })
})
