// The byte store on a local folder. Keys map to files under `root`; uploads stream to `<root>/.tmp`
// and are renamed into place, so an object appears whole or not at all. A content type, when given,
// is kept in a sidecar under `<root>/.meta`. Names starting with "." are reserved and never listed.
import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, opendir, readFile, rename, rm, rmdir, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { BlobNotFoundError, BlobStoreError } from './blob-store.js';
import type { BlobHead, BlobStore, ByteRange, PutOptions } from './blob-store.js';

const TMP_DIR = '.tmp';
const META_DIR = '.meta';

/** Refuses keys that could leave the root or alias another key. Throws a plain Error: a caller bug. */
function checkKey(key: string, { prefix = false } = {}): void {
  const bad = (why: string) => new Error(`unsafe storage key ${JSON.stringify(key)}: ${why}`);
  if (!prefix && key.length === 0) throw bad('empty');
  if (key.length > 1024) throw bad('too long');
  if (key.includes('\0')) throw bad('NUL byte');
  if (key.includes('\\')) throw bad('backslash');
  if (key.includes('..')) throw bad('".."');
  if (key.startsWith('/') || path.isAbsolute(key)) throw bad('absolute path');
  const segments = key.split('/');
  // A prefix may end with "/" (its last segment is then empty); a key may not.
  const whole = prefix ? segments.slice(0, -1) : segments;
  if (whole.some((s) => s.length === 0)) throw bad('empty path segment');
  if (segments.some((s) => s.startsWith('.'))) throw bad('segment starting with "."');
}

function isMissing(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

function fail(op: string, key: string, err: unknown): BlobStoreError {
  return new BlobStoreError(`local store: ${op} ${JSON.stringify(key)} failed: ${(err as Error).message}`, { cause: err });
}

export function createLocalStore(root: string): BlobStore {
  const base = path.resolve(root);
  const tmpDir = path.join(base, TMP_DIR);

  /** The absolute file of a key, checked to stay under the root. */
  function fileOf(key: string, tree = base): string {
    checkKey(key);
    const file = path.resolve(tree, ...key.split('/'));
    if (!file.startsWith(tree + path.sep)) throw new Error(`unsafe storage key ${JSON.stringify(key)}: escapes the root`);
    return file;
  }
  const metaOf = (key: string) => `${fileOf(key, path.join(base, META_DIR))}.json`;

  /** Renames `from` to `to`, creating parents; retries when a concurrent delete pruned a parent. */
  async function moveInto(from: string, to: string): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      await mkdir(path.dirname(to), { recursive: true });
      try {
        return await rename(from, to);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || attempt >= 3) throw err;
      }
    }
  }

  /** Records (or clears) the content type of `key` in its sidecar. */
  async function writeMeta(key: string, meta: string, contentType: string | undefined): Promise<void> {
    try {
      if (contentType === undefined) {
        await rm(meta, { force: true });
      } else {
        const tmpMeta = path.join(tmpDir, `${randomUUID()}.meta`);
        await mkdir(tmpDir, { recursive: true });
        await writeFile(tmpMeta, JSON.stringify({ contentType }));
        await moveInto(tmpMeta, meta);
      }
    } catch (err) {
      throw fail('put (content type)', key, err);
    }
  }

  /** Removes empty folders from `dir` up to (not including) `stop`. */
  async function prune(dir: string, stop: string): Promise<void> {
    while (dir.startsWith(stop + path.sep)) {
      try {
        await rmdir(dir);
      } catch {
        return; // not empty, already gone, or busy: leave it
      }
      dir = path.dirname(dir);
    }
  }

  async function readContentType(key: string): Promise<string | undefined> {
    try {
      const meta = JSON.parse(await readFile(metaOf(key), 'utf8')) as { contentType?: unknown };
      return typeof meta.contentType === 'string' ? meta.contentType : undefined;
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw err;
    }
  }

  /** Yields files under `dir` (relative name `rel`) in lexical key order. */
  async function* walk(dir: string, rel: string, prefix: string): AsyncGenerator<string> {
    let entries: { name: string; dir: boolean }[];
    try {
      const handle = await opendir(dir);
      entries = [];
      for await (const e of handle) {
        if (!e.name.startsWith('.')) entries.push({ name: e.name, dir: e.isDirectory() });
      }
    } catch (err) {
      if (isMissing(err)) return;
      throw err;
    }
    // A folder sorts as "name/", which puts its keys exactly where they fall among its siblings.
    const sortName = (e: { name: string; dir: boolean }) => (e.dir ? `${e.name}/` : e.name);
    entries.sort((a, b) => (sortName(a) < sortName(b) ? -1 : sortName(a) > sortName(b) ? 1 : 0));
    for (const e of entries) {
      const key = rel + e.name;
      if (e.dir) {
        const sub = `${key}/`;
        if (sub.startsWith(prefix) || prefix.startsWith(sub)) yield* walk(path.join(dir, e.name), sub, prefix);
      } else if (key.startsWith(prefix)) {
        yield key;
      }
    }
  }

  return {
    kind: 'local',

    async put(key: string, body: Readable, options: PutOptions = {}) {
      const file = fileOf(key);
      const meta = metaOf(key);
      const tmp = path.join(tmpDir, randomUUID());
      let size = 0;
      // A body that fails before the pipeline is attached must not become an unhandled 'error'.
      let early: unknown;
      const onEarly = (e: unknown) => (early ??= e);
      body.on('error', onEarly);
      try {
        await mkdir(tmpDir, { recursive: true });
        body.off('error', onEarly);
        if (early !== undefined) throw early;
        await pipeline(
          body,
          async function* count(source: AsyncIterable<Buffer | string>) {
            for await (const chunk of source) {
              size += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
              yield chunk;
            }
          },
          createWriteStream(tmp, { flags: 'wx' }),
        );
        await moveInto(tmp, file);
      } catch (err) {
        body.destroy();
        await rm(tmp, { force: true }).catch(() => undefined);
        throw fail('put', key, err);
      }
      await writeMeta(key, meta, options.contentType);
      return { size };
    },

    async putFile(key: string, source: string, options: PutOptions = {}) {
      const file = fileOf(key);
      let size: number;
      try {
        size = (await stat(source)).size;
        await moveInto(source, file);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EXDEV') return this.put(key, createReadStream(source), options);
        throw fail('putFile', key, err);
      }
      await writeMeta(key, metaOf(key), options.contentType);
      return { size };
    },

    async get(key: string, range?: ByteRange) {
      const file = fileOf(key);
      if (range && !(Number.isSafeInteger(range.start) && Number.isSafeInteger(range.end) && range.start >= 0 && range.end >= range.start)) {
        throw new Error(`invalid byte range ${range.start}-${range.end}`);
      }
      let handle;
      try {
        handle = await open(file, 'r');
      } catch (err) {
        if (isMissing(err) || (err as NodeJS.ErrnoException).code === 'EISDIR') throw new BlobNotFoundError(key);
        throw fail('get', key, err);
      }
      try {
        const info = await handle.stat();
        if (!info.isFile()) throw new BlobNotFoundError(key);
        if (!range) return handle.createReadStream();
        if (range.start >= info.size) throw new BlobStoreError(`range ${range.start}-${range.end} not satisfiable for ${key} (${info.size} bytes)`);
        return handle.createReadStream({ start: range.start, end: Math.min(range.end, info.size - 1) });
      } catch (err) {
        await handle.close().catch(() => undefined);
        if (err instanceof BlobNotFoundError || err instanceof BlobStoreError) throw err;
        throw fail('get', key, err);
      }
    },

    async head(key: string): Promise<BlobHead | undefined> {
      const file = fileOf(key);
      try {
        const info = await stat(file);
        if (!info.isFile()) return undefined;
        return { key, size: info.size, contentType: await readContentType(key), etag: undefined };
      } catch (err) {
        if (isMissing(err)) return undefined;
        throw fail('head', key, err);
      }
    },

    async delete(key: string) {
      const file = fileOf(key);
      const meta = metaOf(key);
      try {
        await unlink(file).catch((err: unknown) => {
          if (!isMissing(err)) throw err;
        });
        await rm(meta, { force: true });
      } catch (err) {
        throw fail('delete', key, err);
      }
      await prune(path.dirname(file), base);
      await prune(path.dirname(meta), path.join(base, META_DIR));
    },

    async *list(prefix: string) {
      checkKey(prefix, { prefix: true });
      const slash = prefix.lastIndexOf('/');
      const rel = prefix.slice(0, slash + 1); // the folder part of the prefix, "" or ending in "/"
      try {
        yield* walk(path.join(base, ...rel.split('/').filter(Boolean)), rel, prefix);
      } catch (err) {
        throw fail('list', prefix, err);
      }
    },

    async ping() {
      const probe = path.join(tmpDir, `ping-${randomUUID()}`);
      try {
        await mkdir(tmpDir, { recursive: true });
        await writeFile(probe, 'ok');
        await rm(probe, { force: true });
      } catch (err) {
        throw fail('ping', base, err);
      }
    },

    async close() {},
  };
}
