// `picora login` (password flow) and `picora logout`. Login signs in, creates an API key for this machine and
// stores {url, key, refresh token} with mode 0600; logout revokes that key when it can and deletes the file.
import { hostname } from 'node:os';
import { createInterface } from 'node:readline/promises';
import password from '@inquirer/password';
import type { Command } from 'commander';
import { createApiClient, type ApiClient } from '../api-client.js';
import { deleteConfig, normaliseUrl, readConfig, writeConfig } from '../config-store.js';
import { CliError, EXIT } from '../exit-codes.js';
import { note, printJson, printLine } from '../output.js';
import { openSession, refreshTokenFrom } from '../session.js';

export const CLI_KEY_SCOPES = ['media.read', 'media.write', 'media.delete', 'account.read', 'usage.read'];

type LoginOptions = { email?: string; passwordStdin?: boolean };
type User = { id: string; email: string | null; plan: string };

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function askEmail(): Promise<string> {
  if (!process.stdin.isTTY) throw new CliError('--email is required when stdin is not a terminal', EXIT.usage);
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return (await rl.question('Email: ')).trim();
  } finally {
    rl.close();
  }
}

async function askPassword(opts: LoginOptions): Promise<string> {
  if (opts.passwordStdin) return (await readStdin()).replace(/\r?\n$/, '');
  if (!process.stdin.isTTY) throw new CliError('no terminal to ask for the password: pass it with --password-stdin', EXIT.usage);
  return password({ message: 'Password:', mask: true }, { output: process.stderr });
}

/** Best-effort: revokes a key this CLI made earlier, with a fresh session. */
async function revokeKey(api: ApiClient, accessToken: string, keyId: string): Promise<boolean> {
  try {
    await api.request(`/v1/api-keys/${encodeURIComponent(keyId)}`, { method: 'DELETE', token: accessToken, timeoutMs: 30_000 });
    return true;
  } catch {
    return false;
  }
}

async function login(urlArg: string | undefined, opts: LoginOptions, json: boolean): Promise<void> {
  const rawUrl = urlArg ?? process.env['PICORA_URL'];
  if (!rawUrl) throw new CliError('which instance? `picora login <url>` (or set PICORA_URL)', EXIT.usage);
  const url = normaliseUrl(rawUrl);
  const email = opts.email ?? (await askEmail());
  if (opts.passwordStdin && !opts.email) throw new CliError('--password-stdin needs --email', EXIT.usage);
  const pass = await askPassword(opts);
  if (!email || !pass) throw new CliError('email and password are required', EXIT.usage);

  const api = createApiClient(url);
  const signedIn = await api.request<{ accessToken: string; user: User }>('/v1/auth/login', {
    method: 'POST', json: { email, password: pass }, timeoutMs: 30_000,
  }).catch((err: unknown) => {
    // a wrong password is an auth failure (exit 3), whatever status the instance picks for it
    if (err instanceof CliError && err.status !== undefined && err.status >= 400 && err.status < 500 && err.status !== 429) {
      throw new CliError(err.message, EXIT.auth, err.code, err.status);
    }
    throw err;
  });
  const accessToken = signedIn.data.accessToken;
  const refreshToken = refreshTokenFrom(signedIn.headers);
  const name = `picora-cli on ${hostname()}`.slice(0, 50);
  const key = await api.request<{ id: string; key: string; scopesV2: string[] }>('/v1/api-keys', {
    method: 'POST', token: accessToken, json: { name, scopes: CLI_KEY_SCOPES }, timeoutMs: 30_000,
  });

  const previous = await readConfig().catch(() => undefined);
  if (previous && previous.url === url && previous.apiKeyId !== key.data.id) await revokeKey(api, accessToken, previous.apiKeyId);

  const file = await writeConfig({
    url, apiKey: key.data.key, apiKeyId: key.data.id, email: signedIn.data.user.email ?? email, ...(refreshToken ? { refreshToken } : {}),
  });
  if (json) printJson({ url, user: signedIn.data.user, apiKeyId: key.data.id, scopes: key.data.scopesV2, configFile: file });
  else {
    printLine(`Logged in to ${url} as ${signedIn.data.user.email ?? email} (${signedIn.data.user.plan}).`);
    note(`API key "${name}" created; stored in ${file} (mode 0600).`);
  }
}

async function logout(json: boolean): Promise<void> {
  const config = await readConfig().catch(() => undefined);
  if (!config) {
    if (json) printJson({ loggedOut: false, revoked: false });
    else note('not logged in; nothing to do');
    return;
  }
  let revoked = false;
  try {
    const { config: fresh, accessToken } = await openSession('revoking the key');
    const api = createApiClient(fresh.url);
    revoked = await revokeKey(api, accessToken, fresh.apiKeyId);
    await api.request('/v1/auth/logout', { method: 'POST', token: accessToken, json: { refreshToken: fresh.refreshToken }, timeoutMs: 30_000 }).catch(() => undefined);
  } catch {
    revoked = false;
  }
  await deleteConfig();
  if (json) printJson({ loggedOut: true, revoked });
  else {
    printLine(`Logged out of ${config.url}.`);
    if (!revoked) note(`could not revoke the API key ${config.apiKeyId} (session expired or server unreachable): revoke it in the dashboard`);
  }
}

export function registerLoginCommands(program: Command, isJson: () => boolean): void {
  program
    .command('login')
    .description('sign in with email + password, create an API key for this machine and store it (0600)')
    .argument('[url]', 'the instance, e.g. https://img.example.com (default: $PICORA_URL)')
    .option('-e, --email <email>', 'account email (asked for when omitted and stdin is a terminal)')
    .option('--password-stdin', 'read the password from stdin (for scripts); otherwise it is asked for without echo')
    .action((url: string | undefined, opts: LoginOptions) => login(url, opts, isJson()));
  program
    .command('logout')
    .description('revoke the stored API key (when the session still allows it) and delete the stored login')
    .action(() => logout(isJson()));
}
