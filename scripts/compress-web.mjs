// Writes brotli (.br, quality 11) and gzip (.gz, level 9) copies next to every text asset of the built
// dashboard (web/dist), once at build time, so the server sends them as they are (@fastify/static's
// preCompressed) instead of compressing on every request or not at all.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const dist = fileURLToPath(new URL('../web/dist', import.meta.url));
const TEXT = /\.(js|mjs|css|html|svg|json|txt|map)$/;
const MIN_BYTES = 1024; // below this, the headers cost more than the saving

const walk = (dir) => readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]));

let raw = 0;
let br = 0;
for (const file of walk(dist).filter((f) => TEXT.test(f) && statSync(f).size >= MIN_BYTES)) {
  const bytes = readFileSync(file);
  const brotli = brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length } });
  writeFileSync(`${file}.br`, brotli);
  writeFileSync(`${file}.gz`, gzipSync(bytes, { level: 9 }));
  raw += bytes.length;
  br += brotli.length;
}
console.log(`compress-web: ${(raw / 1024).toFixed(0)} KB of text assets → ${(br / 1024).toFixed(0)} KB brotli (and gzip copies)`);
