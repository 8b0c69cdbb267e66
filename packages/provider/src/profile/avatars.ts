/**
 * The provider's own avatars: a small fixed set, so that `picture` works offline and, being shared by
 * many people, says nothing that would let two apps recognise the same person.
 */
const PALETTE = {
  fox: ['#f97316', '#7c2d12'],
  owl: ['#a16207', '#fef3c7'],
  frog: ['#16a34a', '#052e16'],
  whale: ['#0284c7', '#e0f2fe'],
  plum: ['#7e22ce', '#f3e8ff'],
  rose: ['#e11d48', '#ffe4e6'],
  moss: ['#4d7c0f', '#ecfccb'],
  slate: ['#334155', '#e2e8f0'],
} as const

/** The name of one of the provider's avatars. */
export type AvatarName = keyof typeof PALETTE

/** Every avatar name. */
export const AVATAR_NAMES = Object.keys(PALETTE) as AvatarName[]

/** Whether `name` is one of the provider's avatars. */
export function isAvatarName(name: string): name is AvatarName {
  return Object.hasOwn(PALETTE, name)
}

/** Picks an avatar for a new account. */
export function randomAvatarName(random: () => number = Math.random): AvatarName {
  return AVATAR_NAMES[Math.floor(random() * AVATAR_NAMES.length)] ?? 'fox'
}

/** The SVG image of an avatar: a face in the avatar's colours, no text and no external reference. */
export function avatarSvg(name: AvatarName): string {
  const [background, foreground] = PALETTE[name]
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" width="64" height="64" role="img" aria-label="${name} avatar">
<circle cx="32" cy="32" r="32" fill="${background}"/>
<circle cx="22" cy="27" r="5" fill="${foreground}"/>
<circle cx="42" cy="27" r="5" fill="${foreground}"/>
<path d="M20 41 Q32 51 44 41" stroke="${foreground}" stroke-width="4" fill="none" stroke-linecap="round"/>
</svg>
`
}
