// Renders and upload preparation (SVG sanitising, HEIC decoding, probing, placeholders) run in a pool of
// worker processes, off the event loop, each task under a hard time budget: past it, the process is killed
// (libvips and WebAssembly cannot be interrupted from inside) and the task fails with MediaError 'too_slow'.
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createProcessPool, PoolTaskError } from '../../lib/process-pool.js';
import { MediaError, type MediaErrorKind } from '../media-error.js';
import type { PrepareInput, PrepareLimits, PreparedFile } from '../prepare-upload.js';
import type { Rendered, RenderLimits, RenderSpec } from '../render.js';

export type MediaWorkersOptions = {
  /** Worker processes (renders and preparations at once). */
  size: number;
  /** libvips threads in each worker. */
  threadsPerWorker: number;
  renderTimeoutMs: number;
  prepareTimeoutMs: number;
  log?: { warn(obj: object, msg: string): void };
  /** When a worker is replaced between tasks (defaults: 2,000 tasks or 320 MiB resident). */
  recycle?: { maxTasks?: number; maxRssMb?: number };
};

const KINDS = new Set<MediaErrorKind>(['unsupported', 'corrupt', 'too_many_pixels', 'too_large', 'too_slow']);

// the worker's own file: media-worker.ts under tsx (development, tests), media-worker.js once built
const here = fileURLToPath(import.meta.url);
const WORKER_ENTRY = new URL(`./media-worker${extname(here)}`, import.meta.url);

function toError(err: unknown, what: string, budgetMs: number): unknown {
  if (!(err instanceof PoolTaskError)) return err;
  switch (err.reason) {
    case 'timeout':
      return new MediaError('too_slow', `${what} did not finish within its time budget of ${budgetMs / 1000} s`, { cause: err });
    case 'crashed':
      return new MediaError('corrupt', `${what} ended abnormally`, { cause: err });
    case 'failed':
      if (err.remote?.name === 'MediaError' && KINDS.has(err.remote.kind as MediaErrorKind)) {
        return new MediaError(err.remote.kind as MediaErrorKind, err.remote.message);
      }
      return new Error(`${what} failed: ${err.message}`, { cause: err });
    default:
      return err;
  }
}

export function createMediaWorkers(opts: MediaWorkersOptions) {
  const pool = createProcessPool({
    entry: WORKER_ENTRY, size: opts.size, args: [String(opts.threadsPerWorker)],
    recycle: { maxTasks: opts.recycle?.maxTasks ?? 2_000, maxRssMb: opts.recycle?.maxRssMb ?? 320 },
    ...(opts.log ? { log: opts.log } : {}),
  });
  return {
    stats: pool.stats,
    get queued(): number {
      return pool.queued;
    },
    /** renderImage in a worker; MediaError 'too_slow' past the render budget. */
    render(input: Buffer, spec: RenderSpec, limits: RenderLimits): Promise<Rendered> {
      return pool.run<Rendered>('render', { input, spec, limits }, opts.renderTimeoutMs).catch((err: unknown) => {
        throw toError(err, 'the render', opts.renderTimeoutMs);
      });
    },
    /** prepareUpload in a worker; MediaError 'too_slow' past the preparation budget. */
    prepare(input: PrepareInput, limits: PrepareLimits): Promise<PreparedFile> {
      return pool.run<PreparedFile>('prepare', { input, limits }, opts.prepareTimeoutMs).catch((err: unknown) => {
        throw toError(err, 'processing the upload', opts.prepareTimeoutMs);
      });
    },
    warm: (): void => pool.warm(),
    close: (): Promise<void> => pool.close(),
  };
}

export type MediaWorkers = ReturnType<typeof createMediaWorkers>;
