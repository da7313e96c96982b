// Real services for integration tests. In CI (CI=true) a missing service fails the suite;
// on a newcomer's machine the suite is skipped with a printed reason.
import pg from 'pg';
import { nanoid } from 'nanoid';

export const isCI = process.env.CI === 'true';

export type Probe<T> = { ok: true; value: T } | { ok: false; reason: string };

/** Returns `undefined` to run, or a skip reason. Throws in CI so the missing service fails the build. */
export function skipUnless<T>(name: string, probe: Probe<T>): string | undefined {
  if (probe.ok) return undefined;
  const reason = `${name} unavailable: ${probe.reason}`;
  if (isCI) throw new Error(`${reason} (CI=true: the ${name} suites must run)`);
  console.log(`# SKIP ${reason}`);
  return reason;
}

export const PG_ADMIN_URL = process.env.PICORA_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export async function probePostgres(): Promise<Probe<string>> {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('select 1');
    return { ok: true, value: PG_ADMIN_URL };
  } catch (err) {
    return { ok: false, reason: `${PG_ADMIN_URL}: ${(err as Error).message}` };
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** A fresh, empty PostgreSQL database for one test file; `drop` removes it. */
export async function createTestDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `picora_t_${nanoid(10).toLowerCase().replace(/[^a-z0-9]/g, 'x')}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: PG_ADMIN_URL });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}
