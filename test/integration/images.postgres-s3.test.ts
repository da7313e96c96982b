// The image suites (upload, rejections, library, delivery) on the real engines: PostgreSQL and the S3-compatible server.
import { probeS3 } from '../support/s3.js';
import { probePostgres, skipUnless } from '../support/services.js';
import { imagesDeliverySuite } from './suites/images-delivery.suite.js';
import { imagesLibrarySuite } from './suites/images-library.suite.js';
import { imagesRejectsSuite } from './suites/images-rejects.suite.js';
import { imagesUploadSuite } from './suites/images-upload.suite.js';

const pg = await probePostgres();
const s3 = await probeS3();
const skip = skipUnless('PostgreSQL', pg) ?? skipUnless('S3', s3);
const s3Config = () => (s3.ok ? s3.value : undefined);
const backend = { db: 'postgres', store: 's3' } as const;
if (!skip) console.log(`# PostgreSQL + S3 image suites: running against ${pg.ok ? pg.value : ''} and the S3 server`);

imagesUploadSuite('PostgreSQL + S3', backend, s3Config, skip);
imagesRejectsSuite('PostgreSQL + S3', backend, s3Config, skip);
imagesLibrarySuite('PostgreSQL + S3', backend, s3Config, skip);
imagesDeliverySuite('PostgreSQL + S3', backend, s3Config, skip);
