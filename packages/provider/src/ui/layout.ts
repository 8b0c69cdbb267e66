import type { BrowserScript } from './buildBrowserScripts.ts'
import { html, type SafeHtml } from './html.ts'

/** The frame of every provider page: the stylesheet and, when the page needs it, the script. */
export function layout(page: {
  title: string
  body: SafeHtml
  script?: BrowserScript
  wide?: boolean
}): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${page.title} · passkey-id</title>
<link rel="stylesheet" href="/assets/styles.css">
<link rel="icon" href="/assets/icon.svg" type="image/svg+xml">
${page.script === undefined ? '' : html`<script type="module" src="/assets/${page.script.name}.js"></script>`}
</head>
<body>
<main class="${page.wide === true ? 'card wide' : 'card'}">
${page.body}
</main>
<footer><p>passkey-id · sign-in without passwords</p></footer>
</body>
</html>
`.value
}
