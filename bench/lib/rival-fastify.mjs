// Rival for the cached-delivery benchmark: a bare Fastify (the project's version, no plugins, logger off)
// answering one file's bytes from memory on GET /variant.jpg — what one Node process can do before any of
// Picora's per-request work (auth, delivery plan, caches, metrics, headers).
// Usage: node rival-fastify.mjs <port> <file>. Prints one JSON line when listening; exits on SIGINT/SIGTERM,
// or by itself after 60 minutes.
import { readFileSync } from 'node:fs';
import Fastify from 'fastify';

const port = Number(process.argv[2]);
const file = process.argv[3];
if (!(port > 0) || !file) {
  console.error('usage: node rival-fastify.mjs <port> <file>');
  process.exit(2);
}
const body = readFileSync(file);
const app = Fastify({ logger: false });
app.get('/variant.jpg', (_request, reply) => {
  reply.header('content-type', 'image/jpeg').header('cache-control', 'public, max-age=31536000, immutable');
  return reply.send(body);
});
await app.listen({ port, host: '127.0.0.1' });
console.log(JSON.stringify({ listening: port, bytes: body.length }));
const stop = () => app.close().then(() => process.exit(0));
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
setTimeout(() => process.exit(3), 60 * 60_000).unref();
