import type { BrowserScript } from './buildBrowserScripts.ts'
import { html, type SafeHtml } from './html.ts'
import { layout } from './layout.ts'

/**
 * A page that tells a person what happened and what to do next: errors, expired links, sign-out.
 * `details` are shown small, for whoever debugs the app.
 */
export function messagePage(page: {
  title: string
  message: string
  details?: Record<string, string>
  body?: SafeHtml
  /** The script the page needs, if any (the account page's, after a deletion). */
  script?: BrowserScript
}): string {
  const details = Object.entries(page.details ?? {}).map(
    ([name, value]) => html`<dt>${name}</dt><dd>${value}</dd>`,
  )
  return layout({
    title: page.title,
    script: page.script,
    body: html`<h1>${page.title}</h1>
<p class="lead">${page.message}</p>
${page.body}
${details.length > 0 ? html`<dl class="details">${details}</dl>` : ''}`,
  })
}
