// Where the CLI keeps its login: $XDG_CONFIG_HOME/picora/config.json (default ~/.config/picora), directory 0700,
// file 0600, written atomically. PICORA_URL + PICORA_API_KEY in the environment take the place of a login.
import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import { CliError, EXIT } from './exit-codes.js';

export type StoredConfig = {
  url: string;
  apiKey: string;
  apiKeyId: string;
  email?: string;
  /** Kept so `picora keys` and `picora logout` can open a session (the API lists and revokes keys for sessions only). */
  refreshToken?: string;
};

export type Credentials = { url: string; apiKey: string; source: 'env' | 'config' };

export function configDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env['XDG_CONFIG_HOME'] && path.isAbsolute(env['XDG_CONFIG_HOME']) ? env['XDG_CONFIG_HOME'] : path.join(homedir(), '.config');
  return path.join(base, 'picora');
}

export const configPath = (env: NodeJS.ProcessEnv = process.env): string => path.join(configDir(env), 'config.json');

export async function readConfig(): Promise<StoredConfig | undefined> {
  let text: string;
  try {
    text = await readFile(configPath(), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  const parsed = JSON.parse(text) as Partial<StoredConfig>;
  if (typeof parsed.url !== 'string' || typeof parsed.apiKey !== 'string' || typeof parsed.apiKeyId !== 'string') {
    throw new CliError(`${configPath()} is not a picora login; run \`picora login\` again`, EXIT.auth);
  }
  return parsed as StoredConfig;
}

export async function writeConfig(config: StoredConfig): Promise<string> {
  const dir = configDir();
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
  const file = configPath();
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  await chmod(tmp, 0o600);
  await rename(tmp, file);
  return file;
}

export async function deleteConfig(): Promise<boolean> {
  const file = configPath();
  try {
    await rm(file);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

export const normaliseUrl = (url: string): string => {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new CliError(`not a URL: ${url}`, EXIT.usage);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new CliError(`not an http(s) URL: ${url}`, EXIT.usage);
  return u.toString().replace(/\/+$/, '');
};

/** The environment's PICORA_URL + PICORA_API_KEY first, then the stored login; exit 3 when there is neither. */
export async function resolveCredentials(env: NodeJS.ProcessEnv = process.env): Promise<Credentials> {
  const envKey = env['PICORA_API_KEY'];
  const envUrl = env['PICORA_URL'];
  if (envKey) {
    const url = envUrl ?? (await readConfig())?.url;
    if (!url) throw new CliError('PICORA_API_KEY is set but PICORA_URL is not: set both (or run `picora login`)', EXIT.auth);
    return { url: normaliseUrl(url), apiKey: envKey, source: 'env' };
  }
  const stored = await readConfig();
  if (!stored) throw new CliError('not logged in: run `picora login <url>`, or set PICORA_URL and PICORA_API_KEY', EXIT.auth);
  // Never send the stored key to another instance than the one it was made on.
  if (envUrl && normaliseUrl(envUrl) !== stored.url) {
    throw new CliError(`PICORA_URL (${envUrl}) is not the instance you logged in to (${stored.url}): set PICORA_API_KEY too`, EXIT.auth);
  }
  return { url: stored.url, apiKey: stored.apiKey, source: 'config' };
}
