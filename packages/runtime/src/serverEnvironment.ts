import { ConfigError } from './env.ts'

/** The variable in which `npm start` (scripts/start.ts) hands each server the settings meant for it. */
export const SERVER_ENVIRONMENT = 'PASSKEY_ID_SERVER_ENV'

/**
 * The variables a server reads its settings from. Run alone, that is its environment. Under
 * `npm start`, which runs the provider and the demo side by side and both read PORT, it is what
 * start.ts handed it as JSON in one variable (PROVIDER_PORT as PORT, and so on), so that a PORT or
 * DATABASE_URL set for neither reaches neither.
 */
export function serverEnvironment(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const handed = env[SERVER_ENVIRONMENT]
  if (handed === undefined) return env
  try {
    return JSON.parse(handed)
  } catch {
    throw new ConfigError(`${SERVER_ENVIRONMENT} is set by npm start and must be JSON; unset it`)
  }
}
