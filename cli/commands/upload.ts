// `picora upload <files|globs|->`: each file streamed as one multipart POST /v1/images (no resumable uploads yet:
// the server has no tus endpoint), a few at a time, 429s waited out, results printed as url/markdown/html/json.
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { glob, isDynamicPattern } from 'tinyglobby';
import { createApiClient, type ApiClient } from '../api-client.js';
import { resolveCredentials } from '../config-store.js';
import { CliError, EXIT } from '../exit-codes.js';
import { multipartFile } from '../multipart.js';
import { printError, printJson, printLine } from '../output.js';
import { createProgress, type Progress } from '../progress.js';

export const FORMATS = ['url', 'markdown', 'html', 'json'] as const;
type Format = (typeof FORMATS)[number];
type UploadOptions = {
  format: Format; public?: boolean; private?: boolean; tag?: string[]; title?: string; name?: string;
  concurrency: number; maxWait: number; progress: boolean;
};
type Input = { path: string; filename: string; size: number; label: string };
type Image = { id: string; url: string; filename: string; title: string | null; sizeBytes: number };
type Outcome = { input: Input; image?: Image; duplicate?: boolean; error?: CliError };

const positiveInt = (max: number) => (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new InvalidArgumentError(`must be an integer from 1 to ${max}`);
  return n;
};

const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const escapeMarkdown = (s: string): string => s.replace(/([[\]\\])/g, '\\$1');

export function formatImage(image: Image, format: Exclude<Format, 'json'>): string {
  const alt = image.title ?? path.parse(image.filename).name;
  if (format === 'markdown') return `![${escapeMarkdown(alt)}](${image.url})`;
  if (format === 'html') return `<img src="${escapeHtml(image.url)}" alt="${escapeHtml(alt)}">`;
  return image.url;
}

/** Files named, globs expanded (sorted, de-duplicated), `-` spooled from stdin to a temp file (so a 429 can retry it). */
async function resolveInputs(args: string[], opts: UploadOptions, cleanups: Array<() => Promise<void>>): Promise<Input[]> {
  const inputs: Input[] = [];
  const seen = new Set<string>();
  const add = async (file: string, filename = path.basename(file), label = file) => {
    const abs = path.resolve(file);
    if (seen.has(abs)) return;
    seen.add(abs);
    const s = await stat(abs).catch(() => undefined);
    if (!s) throw new CliError(`no such file: ${file}`, EXIT.usage);
    if (!s.isFile()) throw new CliError(`not a file: ${file}`, EXIT.usage);
    inputs.push({ path: abs, filename, size: s.size, label });
  };
  for (const arg of args) {
    if (arg === '-') {
      if (process.stdin.isTTY) throw new CliError('`-` reads the image from stdin, but stdin is a terminal', EXIT.usage);
      const dir = await mkdtemp(path.join(tmpdir(), 'picora-cli-'));
      cleanups.push(() => rm(dir, { recursive: true, force: true }));
      const file = path.join(dir, 'stdin');
      await pipeline(process.stdin, createWriteStream(file, { mode: 0o600 }));
      await add(file, opts.name ?? 'stdin', 'stdin');
    } else if (isDynamicPattern(arg)) {
      const matches = (await glob(arg, { onlyFiles: true, expandDirectories: false })).sort();
      if (matches.length === 0) throw new CliError(`no file matches ${arg}`, EXIT.usage);
      for (const m of matches) await add(m);
    } else {
      await add(arg, opts.name && args.length === 1 ? opts.name : undefined);
    }
  }
  return inputs;
}

async function uploadOne(api: ApiClient, key: string, input: Input, fields: Record<string, string>, opts: UploadOptions, progress: Progress): Promise<Outcome> {
  const bar = progress.file(input.label, input.size);
  try {
    const res = await api.request<Image>('/v1/images', {
      method: 'POST',
      token: key,
      body: () => multipartFile({ path: input.path, size: input.size, filename: input.filename, fields, onBytes: (n) => bar.update(n) }),
      maxWaitSeconds: opts.maxWait,
      onRetry: (wait, attempt) => progress.log(`picora: ${input.label}: rate limited, retrying in ${wait}s (attempt ${attempt})`),
    });
    return { input, image: res.data, duplicate: res.status === 200 };
  } catch (err) {
    if (!(err instanceof CliError)) throw err;
    return { input, error: err };
  } finally {
    bar.done();
  }
}

async function upload(args: string[], opts: UploadOptions, json: boolean): Promise<void> {
  const format: Format = json ? 'json' : opts.format;
  const cleanups: Array<() => Promise<void>> = [];
  try {
    const creds = await resolveCredentials();
    const inputs = await resolveInputs(args, opts, cleanups);
    const fields: Record<string, string> = {};
    if (opts.public) fields['isPublic'] = 'true';
    if (opts.private) fields['isPublic'] = 'false';
    if (opts.tag?.length) fields['tags'] = JSON.stringify(opts.tag);
    if (opts.title !== undefined) fields['title'] = opts.title;

    const api = createApiClient(creds.url);
    const total = inputs.reduce((n, i) => n + i.size, 0);
    const progress = createProgress(opts.progress && Boolean(process.stderr.isTTY), total, inputs.length);
    const outcomes: Outcome[] = new Array(inputs.length);
    let next = 0;
    const worker = async () => {
      while (next < inputs.length) {
        const i = next++;
        outcomes[i] = await uploadOne(api, creds.apiKey, inputs[i]!, fields, opts, progress);
        // credentials refused: the rest would fail the same way
        if (outcomes[i]!.error?.exitCode === EXIT.auth) next = inputs.length;
      }
    };
    try {
      await Promise.all(Array.from({ length: Math.min(opts.concurrency, inputs.length) }, worker));
    } finally {
      progress.stop();
    }

    const done = outcomes.filter((o): o is Outcome => o !== undefined);
    if (format === 'json') {
      printJson(done.map((o) => (o.image
        ? { file: o.input.label, success: true, duplicate: o.duplicate ?? false, image: o.image }
        : { file: o.input.label, success: false, error: o.error?.message, code: o.error?.code ?? null })));
    } else {
      for (const o of done) if (o.image) printLine(formatImage(o.image, format));
    }
    const failed = done.filter((o) => o.error);
    if (format !== 'json') for (const o of failed) printError(new CliError(`${o.input.label}: ${o.error!.message}`, o.error!.exitCode, o.error!.code, o.error!.status), false);
    const skipped = inputs.length - done.length;
    if (failed.length + skipped > 0) process.exitCode = failed.length + skipped < inputs.length ? EXIT.partial : failed[0]!.error!.exitCode;
  } finally {
    for (const c of cleanups) await c();
  }
}

export function registerUploadCommand(program: Command, isJson: () => boolean): void {
  program
    .command('upload')
    .description('upload images (files, globs, or - for stdin); prints one line per image on stdout')
    .argument('<files...>', 'files, globs ("shots/*.png", quote them) or - for stdin')
    .addOption(new Option('-f, --format <format>', 'what to print per image').choices(FORMATS).default('url'))
    .addOption(new Option('--public', 'make the images public').conflicts('private'))
    .addOption(new Option('--private', 'make the images private (signed URLs only)').conflicts('public'))
    .option('-t, --tag <tag>', 'tag the images (repeatable)', (v: string, prev: string[] = []) => [...prev, v])
    .option('--title <title>', 'title for the images (alt text in markdown/html)')
    .option('--name <filename>', 'file name to send for stdin (default "stdin")')
    .option('-c, --concurrency <n>', 'uploads in flight at once (1-16)', positiveInt(16), 2)
    .option('--max-wait <seconds>', 'on 429, wait out Retry-After only up to this long (1-3600)', positiveInt(3600), 300)
    .option('--no-progress', 'no progress bars (they are drawn on stderr only when it is a terminal)')
    .addHelpText('after', '\nBig files go as one streamed multipart upload; resumable (tus) uploads are not supported yet (the server has no /v1/uploads).')
    .action((files: string[], opts: UploadOptions) => upload(files, opts, isJson()));
}
