import type { Configuration } from 'oidc-provider'
import { html, trustedHtml } from '../ui/html.ts'
import { messagePage } from '../ui/messagePage.ts'
import { isAccountPageClient } from './clients/accountPageClient.ts'

type LogoutFeature = NonNullable<NonNullable<Configuration['features']>['rpInitiatedLogout']>

/**
 * The sign-out pages, in the provider's own look (the library's defaults load web fonts and inline
 * styles). For an app that proved itself with an `id_token_hint`, oidc-provider ends that app's
 * grant whichever button is pressed: the question is only whether the person also leaves passkey-id
 * (and so every other app) in this browser.
 *
 * A `client_id` alone proves nothing: any site can link to `/openid/logout?client_id=<app>`. Such a
 * request is not attributed to the app (the page does not say the app signed the person out) and
 * ends no app's grant by itself: only the person's "Sign out of passkey-id" does, for every app at
 * once. Its `post_logout_redirect_uri`, already checked to be on the app's origin, is kept.
 */
export function logoutPages(
  issuer: string,
): Pick<LogoutFeature, 'logoutSource' | 'postLogoutSuccessSource'> {
  return {
    logoutSource: async (ctx, form) => {
      const app = ctx.oidc.client?.clientId
      const proven = ctx.oidc.entities.IdTokenHint !== undefined
      // oidc-provider has just noted the client as the one to sign out on confirmation; unproven,
      // the confirmation signs out no app of its own accord.
      const state = ctx.oidc.session?.state
      if (!proven && state !== undefined) state.clientId = undefined
      const fromApp = proven && app !== undefined && !isAccountPageClient(app, issuer)
      ctx.type = 'html'
      ctx.body = messagePage({
        title: fromApp ? 'Signed out of the app' : 'Sign out?',
        message: fromApp
          ? `${app} signed you out. Do you also want to sign out of passkey-id in this browser? Other apps will then ask for your passkey again; apps you allowed keep that permission.`
          : 'Do you want to sign out of passkey-id in this browser? Apps will ask for your passkey again; apps you allowed keep that permission.',
        body: html`${trustedHtml(form)}<div class="decision"><button autofocus type="submit" form="op.logoutForm" value="yes" name="logout" class="primary">Sign out of passkey-id</button><button type="submit" form="op.logoutForm">Stay signed in to passkey-id</button></div>`,
      })
    },
    postLogoutSuccessSource: async (ctx) => {
      ctx.type = 'html'
      ctx.body = messagePage({
        title: 'Signed out',
        message: 'You are signed out of passkey-id in this browser. You can close this page.',
      })
    },
  }
}
