/** Passwordless.ID's endpoint paths, so apps written for it only change their base URL. */
export const ROUTES = {
  authorization: '/openid/authorize',
  token: '/openid/token',
  userinfo: '/openid/userinfo',
  jwks: '/openid/jwks',
  end_session: '/openid/logout',
  introspection: '/openid/introspect',
  revocation: '/openid/revoke',
} as const
