// The accounts and API-key suites on the real engines: PostgreSQL and the S3-compatible server.
import { probeS3 } from '../support/s3.js';
import { probePostgres, skipUnless } from '../support/services.js';
import { apiKeysSuite } from './suites/api-keys.suite.js';
import { authSuite } from './suites/auth.suite.js';

const pg = await probePostgres();
const s3 = await probeS3();
const skip = skipUnless('PostgreSQL', pg) ?? skipUnless('S3', s3);
const s3Config = () => (s3.ok ? s3.value : undefined);
if (!skip) console.log(`# PostgreSQL + S3 suites: running against ${pg.ok ? pg.value : ''} and the S3 server`);

authSuite('PostgreSQL + S3', { db: 'postgres', store: 's3' }, s3Config, skip);
apiKeysSuite('PostgreSQL + S3', { db: 'postgres', store: 's3' }, s3Config, skip);
