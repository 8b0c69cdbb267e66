import { spawnSync } from 'node:child_process'
import { hostname } from 'node:os'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import dropLeftoverSchemas from './dropLeftoverSchemas.ts'
import type { TestSchemaOrigin } from './testDatabaseUrl.ts'
import { testPostgresUrl } from './testPostgresUrl.ts'

const HOUR = 60 * 60 * 1000

describe('dropLeftoverSchemas, the PostgreSQL project global setup', () => {
  const client = new pg.Client({ connectionString: testPostgresUrl() })
  /** A process that has exited, so its pid names no running process. */
  const gonePid = spawnSync(process.execPath, ['-e', '']).pid ?? 0
  const tag = `${process.pid}_${Date.now()}`
  const schemas = {
    byGoneProcess: `t_x_gone_${tag}`,
    byThisProcess: `t_x_live_${tag}`,
    foreignOld: `t_x_foreign_old_${tag}`,
    foreignRecent: `t_x_foreign_new_${tag}`,
    notOurs: `t_x_uncommented_${tag}`,
  }

  async function makeSchema(name: string, origin?: TestSchemaOrigin) {
    await client.query(`create schema ${name}`)
    if (origin !== undefined) {
      await client.query(
        `comment on schema ${name} is ${client.escapeLiteral(JSON.stringify(origin))}`,
      )
    }
  }

  beforeAll(async () => {
    await client.connect()
    const here = hostname()
    const earlier = Date.now() - 1000
    await makeSchema(schemas.byGoneProcess, { host: here, pid: gonePid, createdAt: earlier })
    await makeSchema(schemas.byThisProcess, { host: here, pid: process.pid, createdAt: earlier })
    await makeSchema(schemas.foreignOld, {
      host: 'elsewhere',
      pid: 1,
      createdAt: Date.now() - 2 * HOUR,
    })
    await makeSchema(schemas.foreignRecent, { host: 'elsewhere', pid: 1, createdAt: earlier })
    await makeSchema(schemas.notOurs)
  })
  afterAll(async () => {
    for (const name of Object.values(schemas))
      await client.query(`drop schema if exists ${name} cascade`)
    await client.end()
  })

  it('drops what a gone process or another machine long ago left, and keeps schemas still in use', async () => {
    await dropLeftoverSchemas()
    const { rows } = await client.query<{ nspname: string }>(
      'select nspname from pg_namespace where nspname = any($1) order by nspname',
      [Object.values(schemas)],
    )
    expect(rows.map((row) => row.nspname)).toEqual(
      [schemas.byThisProcess, schemas.foreignRecent, schemas.notOurs].sort(),
    )
  })
})
