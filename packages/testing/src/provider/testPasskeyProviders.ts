/** An SVG drawing of a rounded square of `fill` with a white dot, as a base64 data: URI. */
function squareIcon(fill: string): string {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"><rect width="24" height="24" rx="6" fill="${fill}"/><circle cx="12" cy="12" r="5" fill="#fff"/></svg>`
  return `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`
}

/** AAGUIDs of passkey providers people use, as the community list has them. */
export const PROVIDER_AAGUIDS = {
  iCloudKeychain: 'fbfc3007-154e-4ecc-8c0b-6e020557d7bd',
  googlePasswordManager: 'ea9b8d66-4d01-1d21-3ce4-b6b48cb575d4',
  onePassword: 'bada5566-a7aa-401f-bd96-45619a55120d',
  /** What Chromium's virtual authenticator (DevTools, `addVirtualAuthenticator`) says it is. */
  chromiumVirtualAuthenticator: '01020304-0506-0708-0102-030405060708',
} as const

/**
 * A passkey provider list in the community list's format (`combined_aaguid.json`) for tests: three
 * known providers and Chromium's virtual authenticator, with icons of the tests' own drawing (a
 * light and a dark one, 1Password with one only), so tests depend neither on the shipped list's
 * contents nor on anyone's logo.
 */
export const TEST_PASSKEY_PROVIDER_LIST = JSON.stringify({
  [PROVIDER_AAGUIDS.iCloudKeychain]: {
    name: 'iCloud Keychain',
    icon_light: squareIcon('#3478f6'),
    icon_dark: squareIcon('#64a0ff'),
  },
  [PROVIDER_AAGUIDS.googlePasswordManager]: {
    name: 'Google Password Manager',
    icon_light: squareIcon('#188038'),
    icon_dark: squareIcon('#34a853'),
  },
  [PROVIDER_AAGUIDS.onePassword]: {
    name: '1Password',
    icon_light: squareIcon('#0572ec'),
  },
  [PROVIDER_AAGUIDS.chromiumVirtualAuthenticator]: {
    name: 'Chromium Virtual Authenticator (browser dev tools)',
    icon_light: squareIcon('#c5221f'),
    icon_dark: squareIcon('#f28b82'),
  },
})
