// `picora whoami`, `picora usage`, `picora keys`.
import type { Command } from 'commander';
import { createApiClient } from '../api-client.js';
import { resolveCredentials } from '../config-store.js';
import { note, printFields, printJson, printLine } from '../output.js';
import { openSession } from '../session.js';

type ApiKey = { id: string; name: string; keyPrefix?: string; lastFour?: string; scopesV2?: string[]; lastUsedAt?: string | null; createdAt?: string };

async function whoami(json: boolean): Promise<void> {
  const creds = await resolveCredentials();
  const { data } = await createApiClient(creds.url).request<Record<string, unknown>>('/v1/user/me', { token: creds.apiKey, timeoutMs: 30_000 });
  if (json) return printJson({ url: creds.url, credentials: creds.source, user: data });
  printFields({ instance: creds.url, email: data['email'], id: data['id'], plan: data['plan'], role: data['role'], credentials: creds.source === 'env' ? 'PICORA_API_KEY' : 'stored login' });
}

async function usage(json: boolean): Promise<void> {
  const creds = await resolveCredentials();
  const { data } = await createApiClient(creds.url).request<Record<string, unknown>>('/v1/user/me/usage', { token: creds.apiKey, timeoutMs: 30_000 });
  if (json) return printJson(data);
  printFields(data);
}

async function keys(json: boolean): Promise<void> {
  const { config, accessToken } = await openSession('`picora keys` (the API lists keys to signed-in sessions only)');
  const { data } = await createApiClient(config.url).request<ApiKey[]>('/v1/api-keys', { token: accessToken, timeoutMs: 30_000 });
  if (json) return printJson(data);
  if (data.length === 0) return note('no API keys');
  for (const k of data) {
    const mark = k.id === config.apiKeyId ? ' (this CLI)' : '';
    printLine(`${k.id}  ${k.keyPrefix ?? ''}…${k.lastFour ?? ''}  ${k.name}${mark}  [${(k.scopesV2 ?? []).join(' ')}]`);
  }
}

export function registerAccountCommands(program: Command, isJson: () => boolean): void {
  program.command('whoami').description('show the account behind the current credentials').action(() => whoami(isJson()));
  program.command('usage').description('storage, bandwidth and counts against your plan').action(() => usage(isJson()));
  program
    .command('keys')
    .description('list your API keys (needs `picora login`: the API shows keys to sessions only, not to an API key)')
    .action(() => keys(isJson()));
}
