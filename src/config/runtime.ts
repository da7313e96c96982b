// Imported first by main.ts, before anything can touch libuv's thread pool: file I/O and the sharp work left in
// the main process (watermark overlays) run on pool threads, so the default of 4 is raised to the render limit
// plus 4 (unless UV_THREADPOOL_SIZE is set already). Renders and upload decoding run in worker processes
// (media/worker), each with its own libvips threads.
import { availableParallelism } from 'node:os';

const renders = Number(process.env['PICORA_RENDER_CONCURRENCY']) || availableParallelism();
process.env['UV_THREADPOOL_SIZE'] ??= String(Math.min(64, renders + 4));
// Media worker processes (started later, they inherit it) decode images all day: with glibc's default of 8
// arenas per core they keep most freed memory; two arenas keep their footprint close to what they use.
process.env['MALLOC_ARENA_MAX'] ??= '2';
