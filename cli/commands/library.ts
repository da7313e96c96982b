// `picora ls` and `picora rm`.
import { InvalidArgumentError, type Command } from 'commander';
import { createApiClient } from '../api-client.js';
import { resolveCredentials } from '../config-store.js';
import { CliError, EXIT } from '../exit-codes.js';
import { formatBytes, note, printError, printJson, printLine } from '../output.js';

type Image = { id: string; url: string; filename: string; sizeBytes: number; createdAt: string; isPublic: boolean };
type Page = { items: Image[]; nextCursor: string | null; hasMore: boolean; total?: number };

export function parseLimit(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 100) throw new InvalidArgumentError('must be an integer from 1 to 100');
  return n;
}

async function list(opts: { limit?: number; cursor?: string; tag?: string }, json: boolean): Promise<void> {
  const creds = await resolveCredentials();
  const q = new URLSearchParams();
  if (opts.limit) q.set('limit', String(opts.limit));
  if (opts.cursor) q.set('cursor', opts.cursor);
  if (opts.tag) q.set('tag', opts.tag);
  const { data } = await createApiClient(creds.url).request<Page>(`/v1/images${q.size ? `?${q}` : ''}`, { token: creds.apiKey, timeoutMs: 30_000 });
  if (json) return printJson(data);
  for (const i of data.items) {
    printLine(`${i.id}  ${i.createdAt.slice(0, 19).replace('T', ' ')}  ${formatBytes(i.sizeBytes).padStart(9)}  ${i.isPublic ? 'public ' : 'private'}  ${i.url}`);
  }
  if (data.hasMore && data.nextCursor) note(`more: picora ls --cursor ${data.nextCursor}`);
}

async function remove(ids: string[], json: boolean): Promise<void> {
  const creds = await resolveCredentials();
  const api = createApiClient(creds.url);
  const results: Array<{ id: string; deleted: boolean; error?: string; code?: string | null }> = [];
  let firstError: CliError | undefined;
  for (const id of ids) {
    try {
      await api.request(`/v1/images/${encodeURIComponent(id)}`, { method: 'DELETE', token: creds.apiKey, timeoutMs: 30_000 });
      results.push({ id, deleted: true });
      if (!json) printLine(`deleted ${id}`);
    } catch (err) {
      if (!(err instanceof CliError)) throw err;
      // credentials or the network failing fails the whole command
      if (err.exitCode === EXIT.auth || err.exitCode === EXIT.network) throw err;
      firstError ??= err;
      results.push({ id, deleted: false, error: err.message, code: err.code ?? null });
      if (!json) printError(new CliError(`${id}: ${err.message}`, err.exitCode, err.code, err.status), false);
    }
  }
  if (json) printJson(results);
  if (firstError) {
    const ok = results.filter((r) => r.deleted).length;
    process.exitCode = ok > 0 ? EXIT.partial : firstError.exitCode;
  }
}

export function registerLibraryCommands(program: Command, isJson: () => boolean): void {
  program
    .command('ls')
    .description('list your images, newest first')
    .option('-n, --limit <n>', 'how many (1-100)', parseLimit)
    .option('-c, --cursor <cursor>', 'continue after a previous page (printed on stderr)')
    .option('-t, --tag <tag>', 'only images with this tag')
    .action((opts: { limit?: number; cursor?: string; tag?: string }) => list(opts, isJson()));
  program
    .command('rm')
    .description('delete images by id (exit 5 when only some were deleted)')
    .argument('<ids...>', 'image ids')
    .action((ids: string[]) => remove(ids, isJson()));
}
