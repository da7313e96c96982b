// The variant cache on SQLite and the local folder store.
import { transformsCacheSuite } from './suites/transforms-cache.suite.js';

transformsCacheSuite('SQLite + local store', { db: 'sqlite', store: 'local' });
