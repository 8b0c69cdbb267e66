/**
 * The app every sign-in of the benchmark is for, the same at the provider and at the bare
 * oidc-provider: a loopback origin (the provider needs no registration for it), a redirect URI on it
 * that nothing listens on (the sign-in stops there, as a browser would hand the code to the app), and
 * the scopes of the demo's `GET /userinfo` profile.
 */
export const BENCH_APP = 'http://localhost:8000'
export const BENCH_REDIRECT_URI = `${BENCH_APP}/cb`
export const BENCH_SCOPE = 'openid avatar email'
