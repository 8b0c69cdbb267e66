/** HTML that is already safe to insert, such as the output of `html`. */
export class SafeHtml {
  readonly value: string
  constructor(value: string) {
    this.value = value
  }
  toString(): string {
    return this.value
  }
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
}

/** Escapes text for an HTML element or a quoted attribute. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => ESCAPES[character] ?? character)
}

type Interpolation =
  | string
  | number
  | SafeHtml
  | readonly Interpolation[]
  | null
  | undefined
  | false

/**
 * A template tag that escapes every interpolated value unless it is `SafeHtml`, so that a username
 * or a client_id can never become markup. Arrays are joined; null, undefined and false render nothing.
 */
export function html(strings: TemplateStringsArray, ...values: Interpolation[]): SafeHtml {
  const render = (value: Interpolation): string => {
    if (value === null || value === undefined || value === false) return ''
    if (value instanceof SafeHtml) return value.value
    if (Array.isArray(value)) return value.map(render).join('')
    return escapeHtml(String(value))
  }
  return new SafeHtml(
    strings.reduce((out, string, index) => out + render(values[index - 1]) + string),
  )
}

/** Marks markup produced elsewhere (oidc-provider's logout form) as safe. Use sparingly. */
export function trustedHtml(markup: string): SafeHtml {
  return new SafeHtml(markup)
}
