// A process that owns a pool whose only worker spins in synchronous code, for the "the parent was killed"
// test: prints the worker's pid, then waits to be killed.
import { createProcessPool } from '../../src/lib/process-pool.js';

const pool = createProcessPool({ entry: new URL('./pool-worker.ts', import.meta.url), size: 1 });
const { pid } = await pool.run<{ pid: number }>('echo', { value: 0 }, 30_000);
void pool.run('spin', {}, 600_000).catch(() => undefined);
console.log(`worker ${pid}`);
setInterval(() => undefined, 1_000);
