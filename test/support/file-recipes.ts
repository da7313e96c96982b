// Test files made on first use from named recipes (ffmpeg commands, mostly) and cached under os.tmpdir(), in a
// folder whose name carries a hash of the recipes (changing one makes fresh files). Each file is written to a
// temporary name and renamed, so test files running in parallel never see half a file.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

export type Recipe = { file: string; make: (out: string, dir: string) => Promise<void> };

/**
 * The cache of `recipes` under `os.tmpdir()/<name>/<hash>`; `extra` (shared argument lists) goes into the hash too.
 * `get(kind)` is the file's path, made once per process and reused across runs.
 */
export function recipeCache<K extends string>(name: string, recipes: Record<K, Recipe>, extra: unknown = null): { dir: string; get(kind: K): Promise<string> } {
  const hash = createHash('sha256')
    .update(JSON.stringify(Object.entries<Recipe>(recipes).map(([kind, r]) => [kind, r.file, r.make.toString()])))
    .update(JSON.stringify(extra))
    .digest('hex')
    .slice(0, 12);
  const dir = path.join(os.tmpdir(), name, hash);
  const made = new Map<K, Promise<string>>();

  async function make(kind: K): Promise<string> {
    const recipe = recipes[kind];
    const out = path.join(dir, recipe.file);
    if (existsSync(out) && (await stat(out)).size > 0) return out;
    await mkdir(dir, { recursive: true });
    const tmp = path.join(dir, `.tmp-${process.pid}-${Date.now()}-${recipe.file}`);
    try {
      await recipe.make(tmp, dir);
      await rename(tmp, out);
    } finally {
      await rm(tmp, { force: true });
    }
    return out;
  }

  return {
    dir,
    get(kind: K): Promise<string> {
      let pending = made.get(kind);
      if (!pending) {
        pending = make(kind);
        pending.catch(() => made.delete(kind));
        made.set(kind, pending);
      }
      return pending;
    },
  };
}
