// The worker-process pool: answers cross as they were sent (Buffers too), a task past its budget has its
// process killed and replaced, a crashed process fails only its own task, and closing ends every process.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { createProcessPool, inheritedLoaderArgs, PoolTaskError } from '../../src/lib/process-pool.js';
import { isAlive as alive } from '../support/processes.js';

const entry = new URL('../support/pool-worker.ts', import.meta.url);
const isPoolError = (reason: PoolTaskError['reason']) => (err: unknown) => err instanceof PoolTaskError && err.reason === reason;

describe('process pool', () => {
  it('runs tasks in child processes, Buffers included, at most `size` processes', async () => {
    const pool = createProcessPool({ entry, size: 2 });
    try {
      const answers = await Promise.all([1, 2, 3, 4, 5].map((value) => pool.run<{ value: number; pid: number }>('echo', { value }, 10_000)));
      assert.deepEqual(answers.map((a) => a.value), [1, 2, 3, 4, 5]);
      const pids = new Set(answers.map((a) => a.pid));
      assert.ok(pids.size <= 2 && !pids.has(process.pid), `pids: ${[...pids].join(', ')}`);
      const out = await pool.run<{ isBuffer: boolean; reversed: Buffer }>('bytes', { data: Buffer.from([1, 2, 3]) }, 10_000);
      assert.equal(out.isBuffer, true);
      assert.deepEqual([...out.reversed], [3, 2, 1]);
    } finally {
      await pool.close();
    }
  });

  it("reports what the handler threw, with its name and kind, and keeps the process", async () => {
    const pool = createProcessPool({ entry, size: 1 });
    try {
      const before = await pool.run<{ pid: number }>('echo', { value: 0 }, 10_000);
      await assert.rejects(pool.run('fail', { kind: 'corrupt' }, 10_000), (err: unknown) => {
        assert.ok(err instanceof PoolTaskError && err.reason === 'failed');
        assert.deepEqual({ name: err.remote?.name, kind: err.remote?.kind }, { name: 'MediaError', kind: 'corrupt' });
        return true;
      });
      await assert.rejects(pool.run('nope', {}, 10_000), isPoolError('failed'));
      assert.equal((await pool.run<{ pid: number }>('echo', { value: 1 }, 10_000)).pid, before.pid);
    } finally {
      await pool.close();
    }
  });

  it('kills a task past its budget within the budget, replaces the process, and the queue moves on', async () => {
    const pool = createProcessPool({ entry, size: 1 });
    try {
      const first = await pool.run<{ pid: number }>('echo', { value: 0 }, 10_000);
      const started = Date.now();
      const spinning = pool.run('spin', {}, 500);
      const queued = pool.run<{ value: number; pid: number }>('echo', { value: 7 }, 10_000); // waits for the only process
      await assert.rejects(spinning, isPoolError('timeout'));
      const took = Date.now() - started;
      assert.ok(took >= 450 && took < 3_000, `the budget was 500 ms, the refusal came after ${took} ms`);
      const next = await queued;
      assert.equal(next.value, 7);
      assert.notEqual(next.pid, first.pid, 'the spinning process was replaced');
      for (let i = 0; i < 50 && alive(first.pid); i++) await new Promise((r) => setTimeout(r, 20));
      assert.equal(alive(first.pid), false, 'the killed process is gone');
      assert.equal(pool.stats.killed, 1);
    } finally {
      await pool.close();
    }
  });

  it('a process that dies fails only its own task', async () => {
    const pool = createProcessPool({ entry, size: 2 });
    try {
      const [died, fine] = await Promise.allSettled([pool.run('die', {}, 10_000), pool.run<{ value: number }>('echo', { value: 2 }, 10_000)]);
      assert.equal(died.status, 'rejected');
      assert.ok(isPoolError('crashed')((died as PromiseRejectedResult).reason));
      assert.equal(fine.status === 'fulfilled' && fine.value.value, 2);
      assert.equal((await pool.run<{ value: number }>('echo', { value: 3 }, 10_000)).value, 3);
    } finally {
      await pool.close();
    }
  });

  it('close refuses queued and running tasks and ends every process', async () => {
    const pool = createProcessPool({ entry, size: 1 });
    const { pid } = await pool.run<{ pid: number }>('echo', { value: 0 }, 10_000);
    const running = assert.rejects(pool.run('spin', {}, 60_000), isPoolError('closed'));
    const queued = assert.rejects(pool.run('echo', { value: 1 }, 60_000), isPoolError('closed'));
    await pool.close();
    await running;
    await queued;
    await assert.rejects(pool.run('echo', {}, 1_000), isPoolError('closed'));
    assert.equal(alive(pid), false);
  });

  it('replaces a worker between tasks once it has done its share of tasks or grown past its memory cap', async () => {
    const byTasks = createProcessPool({ entry, size: 1, recycle: { maxTasks: 2 } });
    const byMemory = createProcessPool({ entry, size: 1, recycle: { maxRssMb: 1 } }); // every process is over 1 MiB
    try {
      const pids = [];
      for (let i = 0; i < 5; i++) pids.push((await byTasks.run<{ pid: number }>('echo', { value: i }, 10_000)).pid);
      assert.equal(pids[0], pids[1]);
      assert.notEqual(pids[1], pids[2]);
      assert.equal(pids[2], pids[3]);
      assert.notEqual(pids[3], pids[4]);
      assert.equal(byTasks.stats.recycled, 2);
      const a = await byMemory.run<{ pid: number }>('echo', { value: 1 }, 10_000);
      const b = await byMemory.run<{ pid: number }>('echo', { value: 2 }, 10_000);
      assert.notEqual(a.pid, b.pid);
      for (let i = 0; i < 50 && alive(a.pid); i++) await new Promise((r) => setTimeout(r, 20));
      assert.equal(alive(a.pid), false, 'the worn-out process is gone');
    } finally {
      await byTasks.close();
      await byMemory.close();
    }
  });

  it('a worker stuck in synchronous code ends soon after its parent is killed with SIGKILL', async () => {
    const parent = spawn(process.execPath, [...inheritedLoaderArgs(), fileURLToPath(new URL('../support/pool-parent.ts', import.meta.url))], { stdio: ['ignore', 'pipe', 'inherit'] });
    let pid: number | undefined;
    try {
      pid = await new Promise<number>((resolve, reject) => {
        let out = '';
        parent.stdout.on('data', (c: Buffer) => {
          out += c.toString();
          const m = /worker (\d+)/.exec(out);
          if (m) resolve(Number(m[1]));
        });
        parent.once('exit', () => reject(new Error(`the parent ended first: ${out}`)));
      });
      await new Promise((r) => setTimeout(r, 300)); // the worker is spinning now
      parent.kill('SIGKILL');
      for (let i = 0; i < 100 && alive(pid); i++) await new Promise((r) => setTimeout(r, 50));
      assert.equal(alive(pid), false, 'the orphaned worker is gone within 5 s');
    } finally {
      parent.kill('SIGKILL');
      if (pid !== undefined && alive(pid)) process.kill(pid, 'SIGKILL'); // a failed run leaves no spinning orphan
    }
  });

  it('children inherit only the loader flags of this process', () => {
    assert.deepEqual(inheritedLoaderArgs(['--test', '--import', 'tsx', '--max-old-space-size=100', '--loader=x']), ['--import', 'tsx', '--loader=x']);
  });
});
