// Rival for the transform benchmark: the `ipx` npm package (unjs/ipx, the sharp image server behind Nuxt
// Image) serving a folder of photos over plain node:http, as its README shows, with its own defaults (no
// result cache: every request reads the file and runs sharp). URLs look like /w_512,f_jpeg,q_80/photo.jpg.
// Usage: node rival-ipx.mjs <port> <dir>. Prints one JSON line when listening; exits on SIGINT/SIGTERM, or by
// itself after 60 minutes.
import http from 'node:http';
import { readFileSync } from 'node:fs';
import { createIPX, createIPXNodeServer, ipxFSStorage } from 'ipx';
import sharp from 'sharp';

const port = Number(process.argv[2]);
const dir = process.argv[3];
if (!(port > 0) || !dir) {
  console.error('usage: node rival-ipx.mjs <port> <dir>');
  process.exit(2);
}

const ipx = createIPX({ storage: ipxFSStorage({ dir }) });
const server = http.createServer(createIPXNodeServer(ipx));
const version = JSON.parse(readFileSync(new URL('../../node_modules/ipx/package.json', import.meta.url), 'utf8')).version;
server.listen(port, '127.0.0.1', () =>
  console.log(JSON.stringify({ listening: port, ipx: version, sharpConcurrency: sharp.concurrency(), uvThreadpoolSize: process.env.UV_THREADPOOL_SIZE ?? '4 (default)' })),
);
const stop = () => server.close(() => process.exit(0));
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
setTimeout(() => process.exit(3), 60 * 60_000).unref();
