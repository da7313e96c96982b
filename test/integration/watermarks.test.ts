// Watermark templates and wm= rendering on SQLite + the local store, and on PostgreSQL + S3 (skipped with a
// reason when those are not running; CI=true makes a missing service fail instead).
import { probeS3 } from '../support/s3.js';
import { probePostgres, skipUnless } from '../support/services.js';
import { watermarksCrudSuite } from './suites/watermarks-crud.suite.js';
import { watermarksRenderSuite } from './suites/watermarks-render.suite.js';

watermarksCrudSuite('SQLite + local store', { db: 'sqlite', store: 'local' });
watermarksRenderSuite('SQLite + local store', { db: 'sqlite', store: 'local' });

const pg = await probePostgres();
const s3 = await probeS3();
const skip = skipUnless('PostgreSQL', pg) ?? skipUnless('S3', s3);
const s3Config = () => (s3.ok ? s3.value : undefined);
const backend = { db: 'postgres', store: 's3' } as const;
if (!skip) console.log(`# PostgreSQL + S3 watermark suites: running against ${pg.ok ? pg.value : ''} and the S3 server`);

watermarksCrudSuite('PostgreSQL + S3', backend, s3Config, skip);
watermarksRenderSuite('PostgreSQL + S3', backend, s3Config, skip);
