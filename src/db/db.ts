// The database handle: Kysely over better-sqlite3 (WAL) or PostgreSQL, chosen by configuration.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { CamelCasePlugin, Kysely, PostgresDialect, SqliteDialect, sql, type Dialect } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.js';

export type DatabaseConfig = { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string };

export type Db = Kysely<Database>;

export type DbHandle = { db: Db; dialect: 'sqlite' | 'postgres'; ping(): Promise<void>; close(): Promise<void> };

const INT8_OID = 20;
const NUMERIC_OID = 1700;

/**
 * Kysely's SQLite driver prepares every query anew; preparing costs more than running a point lookup.
 * Statements are kept per SQL text (bounded) and reused — better-sqlite3 statements are reusable.
 */
function withStatementCache(database: SQLite.Database, max = 500): SQLite.Database {
  const cache = new Map<string, SQLite.Statement>();
  const prepare = database.prepare.bind(database);
  database.prepare = ((source: string) => {
    let stmt = cache.get(source);
    if (!stmt) {
      stmt = prepare(source);
      if (cache.size >= max) cache.delete(cache.keys().next().value as string);
      cache.set(source, stmt);
    }
    return stmt;
  }) as typeof database.prepare;
  return database;
}

export function createDb(config: DatabaseConfig): DbHandle {
  if (config.kind === 'postgres') {
    const pool = new pg.Pool({
      connectionString: config.url,
      max: 10,
      connectionTimeoutMillis: 5000,
      // bigint columns hold epoch milliseconds and byte counts: well inside 2^53.
      types: {
        getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
          oid === INT8_OID || oid === NUMERIC_OID ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
      },
    });
    // An idle connection that the server closes (restart, failover, a dropped database) emits 'error' on
    // the pool; unhandled, that would end the process. pg already discards the broken client.
    pool.on('error', () => undefined);
    return handle(new PostgresDialect({ pool }), 'postgres');
  }
  if (config.file !== ':memory:') mkdirSync(path.dirname(config.file), { recursive: true });
  const database = withStatementCache(new SQLite(config.file));
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  database.pragma('foreign_keys = ON');
  database.pragma('busy_timeout = 5000');
  return handle(new SqliteDialect({ database }), 'sqlite');
}

function handle(dialect: Dialect, name: DbHandle['dialect']): DbHandle {
  const db = new Kysely<Database>({ dialect, plugins: [new CamelCasePlugin()] });
  return { db, dialect: name, ping: async () => void (await sql`select 1`.execute(db)), close: () => db.destroy() };
}
