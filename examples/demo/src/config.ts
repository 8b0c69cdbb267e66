import { type LogLevel, readLogLevel, readOrigin, readPort } from '@passkey-id/runtime'

/** Where the demo listens, the origin people open it at, and the provider it signs in through. */
export interface DemoConfig {
  port: number
  host: string
  appUrl: string
  issuer: string
  /** Where the demo's sessions live. */
  databaseUrl: string
  logLevel: LogLevel
}

/** Reads the demo's configuration from PORT, HOST, PUBLIC_URL, ISSUER, DATABASE_URL and LOG_LEVEL. */
export function loadDemoConfig(env: NodeJS.ProcessEnv = process.env): DemoConfig {
  const port = readPort('PORT', env.PORT, 8000)
  return {
    port,
    host: env.HOST?.trim() || 'localhost',
    appUrl: readOrigin('PUBLIC_URL', env.PUBLIC_URL, `http://localhost:${port}`),
    issuer: readOrigin('ISSUER', env.ISSUER, 'http://localhost:8080'),
    databaseUrl: env.DATABASE_URL?.trim() || 'sqlite:./data/demo.db',
    logLevel: readLogLevel('LOG_LEVEL', env.LOG_LEVEL, 'info'),
  }
}
