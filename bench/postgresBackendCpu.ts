import type pg from 'pg'
import { processCpuMs } from './processes.ts'

/**
 * CPU time so far, in milliseconds by process id, of the PostgreSQL backends serving the connections
 * whose `application_name` is `application` (the benchmark names each setup's connections in its
 * DATABASE_URL): the database's own work for those providers, apart from the other clients of a
 * shared server. The server must run on this machine, where /proc shows its processes.
 */
export async function postgresBackendCpu(
  client: pg.Client,
  application: string,
): Promise<Map<number, number>> {
  const { rows } = await client.query<{ pid: number }>(
    'select pid from pg_stat_activity where application_name = $1',
    [application],
  )
  const cpu = new Map<number, number>()
  for (const { pid } of rows) {
    try {
      cpu.set(pid, processCpuMs(pid))
    } catch {
      // The connection ended (idle for 30 s) between the query and the read: it used nothing since.
    }
  }
  return cpu
}
