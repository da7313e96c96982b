// Imported first by main.ts, before anything can touch libuv's thread pool: sharp runs each image operation
// on one pool thread, and file I/O needs threads too, so the default of 4 is raised to the render limit
// plus 4 (unless UV_THREADPOOL_SIZE is set already). sharp's own libvips threads are set by
// configureRenderer (media/render.ts) from PICORA_RENDER_CONCURRENCY.
import { availableParallelism } from 'node:os';

const renders = Number(process.env['PICORA_RENDER_CONCURRENCY']) || availableParallelism();
process.env['UV_THREADPOOL_SIZE'] ??= String(Math.min(64, renders + 4));
