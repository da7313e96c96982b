// Rival for the upload-memory benchmark: a bare node:http server that does what Picora's spool does with
// the request body (SHA-256, count, write to a file) and nothing else: no framework, no multipart parsing.
// The same client streams the same multipart body to it. Usage: node rival-http.mjs <port> <dir>
// Answers {bytes, sha256} per POST; exits on SIGINT/SIGTERM, or by itself after 20 minutes.
import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

const port = Number(process.argv[2]);
const dir = process.argv[3];
if (!(port > 0) || !dir) {
  console.error('usage: node rival-http.mjs <port> <dir>');
  process.exit(2);
}

const server = http.createServer(async (req, res) => {
  if (req.method !== 'POST') {
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    return;
  }
  const file = path.join(dir, `${randomUUID()}.part`);
  const hash = createHash('sha256');
  let bytes = 0;
  const meter = new Transform({
    transform(chunk, _enc, done) {
      bytes += chunk.length;
      hash.update(chunk);
      done(null, chunk);
    },
  });
  try {
    await pipeline(req, meter, createWriteStream(file));
    res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ bytes, sha256: hash.digest('hex') }));
  } catch (err) {
    res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: String(err) }));
  } finally {
    await rm(file, { force: true });
  }
});
server.requestTimeout = 0;
server.listen(port, '127.0.0.1', () => console.log(`listening ${port}`));
const stop = () => server.close(() => process.exit(0));
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
setTimeout(() => process.exit(3), 20 * 60_000).unref();
