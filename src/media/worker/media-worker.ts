// The entry of a media worker process (see media-workers.ts): renders and upload preparation run here, one
// task at a time, so a task past its time budget can be killed with its process. argv[2]: libvips threads.
import { serveProcessTasks } from '../../lib/process-pool-child.js';
import { prepareUpload, type PrepareInput, type PrepareLimits } from '../prepare-upload.js';
import { configureRenderer, renderImage, type RenderLimits, type RenderSpec } from '../render.js';

configureRenderer({ threads: Math.max(1, Number(process.argv[2]) || 1), cacheMemoryMb: 16 });

serveProcessTasks({
  render: (p: { input: Buffer; spec: RenderSpec; limits: RenderLimits }) => renderImage(p.input, p.spec, p.limits),
  prepare: (p: { input: PrepareInput; limits: PrepareLimits }) => prepareUpload(p.input, p.limits),
});
