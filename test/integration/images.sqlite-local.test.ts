// The image suites (upload, rejections, library, delivery) on the embedded default: SQLite and the local folder store.
import { imagesDeliverySuite } from './suites/images-delivery.suite.js';
import { imagesLibrarySuite } from './suites/images-library.suite.js';
import { imagesRejectsSuite } from './suites/images-rejects.suite.js';
import { imagesUploadSuite } from './suites/images-upload.suite.js';

const backend = { db: 'sqlite', store: 'local' } as const;
imagesUploadSuite('SQLite + local store', backend);
imagesRejectsSuite('SQLite + local store', backend);
imagesLibrarySuite('SQLite + local store', backend);
imagesDeliverySuite('SQLite + local store', backend);
