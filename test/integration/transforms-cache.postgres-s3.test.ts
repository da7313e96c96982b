// The variant cache on the real engines: PostgreSQL and the S3-compatible server (skipped with a reason when
// they are not running; CI=true makes a missing service fail instead).
import { probeS3 } from '../support/s3.js';
import { probePostgres, skipUnless } from '../support/services.js';
import { transformsCacheSuite } from './suites/transforms-cache.suite.js';

const pg = await probePostgres();
const s3 = await probeS3();
const skip = skipUnless('PostgreSQL', pg) ?? skipUnless('S3', s3);
const s3Config = () => (s3.ok ? s3.value : undefined);
if (!skip) console.log(`# PostgreSQL + S3 transform cache: running against ${pg.ok ? pg.value : ''} and the S3 server`);

transformsCacheSuite('PostgreSQL + S3', { db: 'postgres', store: 's3' }, s3Config, skip);
