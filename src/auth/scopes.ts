// API-key scopes (CONTRACT §3): v2 dot scopes, v1 tiers and colon aliases all map onto the v2 set.
export const V2_SCOPES = ['media.read', 'media.write', 'media.delete', 'account.read', 'usage.read'] as const;
export type Scope = (typeof V2_SCOPES)[number];

/** Scopes the public contract knows but this server has no resources for yet; accepted and kept. */
const KNOWN_EXTRA = ['kb.read', 'kb.write', 'collection.read', 'collection.write', 'collection.delete', 'episode.write'] as const;
export type StoredScope = Scope | (typeof KNOWN_EXTRA)[number];

export const DEFAULT_KEY_SCOPES: Scope[] = ['account.read', 'media.read', 'media.write', 'usage.read'];

const TIERS: Record<string, StoredScope[]> = {
  read: ['media.read', 'kb.read', 'account.read', 'usage.read'],
  read_write: ['media.read', 'kb.read', 'account.read', 'usage.read', 'media.write', 'kb.write'],
  read_write_delete: ['media.read', 'kb.read', 'account.read', 'usage.read', 'media.write', 'kb.write', 'media.delete'],
};

const RESOURCE_ALIASES: Record<string, string> = {
  images: 'media', image: 'media', videos: 'media', video: 'media', audio: 'media', media: 'media',
  docs: 'kb', doc: 'kb', kb: 'kb', usage: 'usage', account: 'account',
};
const ACTIONS = new Set(['read', 'write', 'delete']);
const ALL: ReadonlySet<string> = new Set<string>([...V2_SCOPES, ...KNOWN_EXTRA]);

/** Normalises one scope spelling; undefined when it is not a scope we know. */
export function normaliseScope(input: string): StoredScope[] | undefined {
  const s = input.trim();
  if (ALL.has(s)) return [s as StoredScope];
  if (TIERS[s]) return TIERS[s];
  const colon = /^([a-z]+):([a-z]+)$/.exec(s);
  if (colon) {
    const [, a, b] = colon as unknown as [string, string, string];
    // both `images:write` and `read:media`
    const [res, act] = ACTIONS.has(b) ? [a, b] : [b, a];
    const mapped = RESOURCE_ALIASES[res];
    if (mapped && ACTIONS.has(act)) {
      const v2 = `${mapped}.${act}`;
      if (ALL.has(v2)) return [v2 as StoredScope];
    }
  }
  return undefined;
}

/** Normalises a list; returns the unknown spellings separately so callers can reject them. */
export function normaliseScopes(inputs: string[]): { scopes: StoredScope[]; unknown: string[] } {
  const out = new Set<StoredScope>();
  const unknown: string[] = [];
  for (const i of inputs) {
    const n = normaliseScope(i);
    if (n) n.forEach((x) => out.add(x));
    else unknown.push(i);
  }
  return { scopes: [...out].sort(), unknown };
}

/** The v1 tier that best describes a v2 scope set (for the ApiKey `scope` field). */
export function v1TierOf(scopes: readonly string[]): 'read' | 'read_write' | 'read_write_delete' {
  if (scopes.includes('media.delete')) return 'read_write_delete';
  if (scopes.includes('media.write')) return 'read_write';
  return 'read';
}
