// The only composition root: reads the configuration, builds the dependencies and runs a subcommand.
//   serve                      start the HTTP server (migrates first)
//   migrate                    apply pending database migrations
//   admin create-user --email E --password P [--role admin] [--plan pro]
//   admin set-plan --email E --plan trial|pro|pro_plus
//   admin set-role --email E --role user|admin
//   admin reconcile [--fix]    recompute usage counters from the image rows and report drift
import './config/runtime.js'; // first: sizes libuv's thread pool before it starts
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { buildApp } from './app.js';
import { ConfigError, loadConfig, type Config } from './config/config.js';
import { createDb } from './db/db.js';
import { migrateToLatest } from './db/migrate.js';
import { buildDeps } from './deps.js';
import { isAppError } from './errors/app-error.js';

const version = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

async function serve(config: Config): Promise<void> {
  const log = pino({ level: config.logLevel });
  // A promise nobody awaited must not take the whole server down with it: log it with its stack.
  process.on('unhandledRejection', (err) => log.error({ err }, 'unhandled promise rejection'));
  const deps = await buildDeps(config, log, { defaultMetrics: true, runJobs: true });
  // Leftovers of uploads that died with an earlier process (spool files, quota reservations, objects) are
  // swept by buildDeps' housekeeping, at start and then every minute.
  const app = await buildApp(deps, log);
  const shutdown = async (signal: string) => {
    log.info({ signal }, 'shutting down');
    // bounded: in-flight requests get the grace period to finish (a render has its own, shorter budget), then
    // the process ends anyway (a slow client or a stuck store must not keep it alive); worker processes
    // notice their parent is gone and end too
    const force = setTimeout(() => {
      log.warn({ graceMs: config.shutdownTimeoutMs }, 'shutdown grace period over; exiting with requests in flight');
      process.exit(1);
    }, config.shutdownTimeoutMs);
    force.unref();
    await app.close();
    await deps.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  deps.workers.warm();
  await app.listen({ host: config.host, port: config.port });
  const users = await deps.db.db.selectFrom('users').select('id').limit(1).execute();
  log.info(
    { database: config.database.kind, storage: config.storage.kind, mail: deps.mailer.kind },
    `Picora ${version} serving on ${config.publicUrl} (API docs: ${config.publicUrl}/docs)`,
  );
  if (users.length === 0) {
    log.info(
      `No account yet. Create the first one (it becomes admin): npm run admin -- create-user --email you@example.com --password 'choose-1-good-one'` +
        ` — or register through POST /v1/auth/send-code + /v1/auth/register (codes land in ${config.dataDir}/outbox.jsonl without SMTP).`,
    );
  }
}

async function migrate(config: Config): Promise<void> {
  const db = createDb(config.database);
  try {
    const applied = await migrateToLatest(db.db);
    console.log(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date');
  } finally {
    await db.close();
  }
}

async function admin(config: Config, args: string[]): Promise<void> {
  const [command, ...rest] = args;
  const { values } = parseArgs({
    args: rest,
    options: { email: { type: 'string' }, password: { type: 'string' }, role: { type: 'string' }, plan: { type: 'string' }, fix: { type: 'boolean' } },
  });
  const log = pino({ level: 'warn' });
  const deps = await buildDeps(config, log);
  try {
    if (command === 'reconcile') {
      const drifted = await deps.admin.reconcile(values.fix ?? false);
      for (const d of drifted) {
        console.log(
          `drift ${d.userId}: images stored ${d.storedBytes} B / ${d.storedCount}, actual ${d.actualBytes} B / ${d.actualCount}; ` +
            `media stored ${d.storedMediaBytes} B / ${d.storedMediaCount}, actual ${d.actualMediaBytes} B / ${d.actualMediaCount}`,
        );
      }
      console.log(drifted.length === 0 ? 'usage counters match the image and video rows' : `${drifted.length} account(s) drifted${values.fix ? ': fixed' : ' (run with --fix to correct)'}`);
      const orphans = await deps.admin.orphans();
      for (const o of orphans) console.log(`orphan ${o.kind}/${o.userId}/${o.id}: ${o.objects} object(s) without a row`);
      console.log(orphans.length === 0 ? 'no orphaned objects in the store' : `${orphans.length} orphaned resource(s) in the store (reported only)`);
      return;
    }
    if (!values.email) throw new Error('--email is required');
    let user;
    if (command === 'create-user') {
      if (!values.password) throw new Error('--password is required');
      user = await deps.admin.createUser({
        email: values.email,
        password: values.password,
        role: values.role as 'user' | 'admin' | undefined,
        plan: values.plan as 'trial' | 'pro' | 'pro_plus' | undefined,
      });
    } else if (command === 'set-plan') {
      user = await deps.admin.setPlan(values.email, values.plan ?? '');
    } else if (command === 'set-role') {
      user = await deps.admin.setRole(values.email, values.role ?? '');
    } else {
      throw new Error('usage: admin create-user|set-plan|set-role --email E [--password P] [--plan P] [--role R] | admin reconcile [--fix]');
    }
    console.log(JSON.stringify({ id: user.id, email: user.email, plan: user.plan, role: user.role }));
  } finally {
    await deps.close();
  }
}

async function main(): Promise<void> {
  const [command = 'serve', ...args] = process.argv.slice(2);
  const config = loadConfig(undefined, version);
  if (command === 'serve') return serve(config);
  if (command === 'migrate') return migrate(config);
  if (command === 'admin') return admin(config, args);
  throw new Error(`unknown command "${command}": use serve, migrate or admin`);
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) console.error(err.message);
  else if (isAppError(err)) console.error(`${err.code}: ${err.message}`);
  else console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
