// The retry backoff of every job backend, and the BullMQ job id mapping of enqueue keys.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bullJobId } from '../../src/jobs/bullmq-queue.js';
import { backoffMs } from '../../src/jobs/queue.js';

const mid = () => 0.5; // no jitter

describe('jobs: backoffMs', () => {
  it('doubles from the base with every attempt', () => {
    assert.deepEqual([1, 2, 3, 4, 5].map((a) => backoffMs(a, 1000, mid)), [1000, 2000, 4000, 8000, 16000]);
    assert.deepEqual([1, 2, 3].map((a) => backoffMs(a, 250, mid)), [250, 500, 1000]);
  });

  it('treats attempt 0 (or less) as the first', () => {
    assert.equal(backoffMs(0, 1000, mid), 1000);
    assert.equal(backoffMs(-3, 1000, mid), 1000);
  });

  it('is capped at an hour', () => {
    assert.equal(backoffMs(13, 1000, mid), 3_600_000);
    assert.equal(backoffMs(60, 1000, mid), 3_600_000);
  });

  it('jitters by ±20 %', () => {
    assert.equal(backoffMs(3, 1000, () => 0), 3200);
    assert.equal(backoffMs(3, 1000, () => 1), 4800);
    for (let i = 0; i < 200; i++) {
      const d = backoffMs(2);
      assert.ok(d >= 1600 && d <= 2400, String(d));
    }
  });
});

describe('jobs: BullMQ job ids from enqueue keys', () => {
  it('never contains ":" and is never an integer', () => {
    for (const key of ['video:abc', '123', 'a:b:c', '%3A']) {
      const id = bullJobId(key);
      assert.ok(!id.includes(':'), id);
      assert.notEqual(`${parseInt(id, 10)}`, id);
    }
  });

  it('is one-to-one', () => {
    const keys = ['a:b', 'a%3Ab', 'a_b', 'a%b', 'a%25b', 'k-a'];
    assert.equal(new Set(keys.map(bullJobId)).size, keys.length);
  });
});
