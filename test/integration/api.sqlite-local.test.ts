// The accounts and API-key suites on the embedded default: SQLite and the local folder store.
import { apiKeysSuite } from './suites/api-keys.suite.js';
import { authSuite } from './suites/auth.suite.js';

authSuite('SQLite + local store', { db: 'sqlite', store: 'local' });
apiKeysSuite('SQLite + local store', { db: 'sqlite', store: 'local' });
