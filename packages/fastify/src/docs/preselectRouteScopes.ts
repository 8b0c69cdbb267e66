/**
 * Runs in the browser as Swagger UI's `onComplete`, once the OpenAPI document has loaded: adds every
 * scope that a route's `openIdConnect` security requirement names to the scopes preselected in the
 * sign-in dialog. The scopes routes need are known only after all routes are declared, long after
 * Swagger UI's options are fixed; the document knows them.
 *
 * @fastify/swagger-ui writes this function's source into its initializer script (so it runs under
 * the docs page's `script-src 'self'`), inside the scope where the initializer declares `ui`, the
 * Swagger UI instance: that is the `ui` below. It must use nothing else but browser globals, and no
 * nested named function (a transpiler could wrap those in helpers the browser lacks).
 */
export function preselectRouteScopes(): void {
  const spec = ui.specSelectors.specJson().toJS()
  const configured = ui.authSelectors.getConfigs()
  const scopes = new Set(
    String(configured.scopes ?? '')
      .split(' ')
      .filter(Boolean),
  )
  for (const item of Object.values(spec.paths ?? {})) {
    for (const operation of Object.values(item)) {
      for (const requirement of operation?.security ?? []) {
        for (const scope of requirement.openIdConnect ?? []) scopes.add(scope)
      }
    }
  }
  ui.initOAuth({ ...configured, scopes: [...scopes].join(' ') })
}

/** Swagger UI's instance, as the initializer script names it (only there does this exist). */
declare const ui: {
  specSelectors: {
    specJson(): {
      toJS(): {
        paths?: Record<
          string,
          Record<string, { security?: Array<Record<string, string[]>> } | undefined>
        >
      }
    }
  }
  authSelectors: { getConfigs(): Record<string, unknown> & { scopes?: string } }
  initOAuth(config: Record<string, unknown>): void
}
