// Fetches a URL a user gave us without letting it reach this host or its networks (SSRF). http and https only,
// no user name or password, ports 80 and 443. Every address is checked: an IP literal before connecting, a name
// on the addresses it resolves to, which are then the ones connected to (resolve-then-pin: DNS rebinding gets
// nothing), and request-filtering-agent checks the connected address once more. Redirects are followed here,
// each hop checked again. The body streams through a byte cap and a deadline; nothing is buffered.
import { lookup as dnsLookup } from 'node:dns/promises';
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { Transform, type Readable } from 'node:stream';
import ipaddr from 'ipaddr.js';
import { RequestFilteringHttpAgent, RequestFilteringHttpsAgent } from 'request-filtering-agent';

export type SafeFetchReason =
  | 'invalid_url' | 'scheme' | 'userinfo' | 'port' | 'address' | 'dns' | 'network' | 'timeout' | 'status' | 'redirects' | 'too_large';

/** Why a fetch was refused or failed. `message` completes "url …"; `hop` counts the redirects followed before. */
export class SafeFetchError extends Error {
  constructor(readonly reason: SafeFetchReason, message: string, readonly hop: number) {
    super(message);
    this.name = 'SafeFetchError';
  }
}

export type ResolvedAddress = { address: string; family: number };
/** Name → addresses (default: the system resolver). Tests pass their own so that no outside DNS is asked. */
export type Resolver = (hostname: string) => Promise<ResolvedAddress[]>;

export type SafeFetchOptions = {
  /**
   * Trusted exceptions: `IP:port` / `[IPv6]:port` allows that address on that port; a CIDR (or a bare IP)
   * allows those addresses on ports 80 and 443. For tests and trusted internal sources only.
   */
  allowList?: readonly string[];
  /** Everything (every hop, headers and body) must be done within this. */
  timeoutMs?: number;
  /** Each hop must answer with its headers within this. */
  headerTimeoutMs?: number;
  maxRedirects?: number;
  lookup?: Resolver;
};

export type FetchedBody = {
  /** The response body, capped; destroying it closes the connection. */
  body: Readable;
  /** The URL that answered (after redirects). */
  url: string;
  /** From Content-Disposition or the last path segment; a display name only, never a path. */
  filename: string | undefined;
  /** What ended the body early, if it was the fetch (cap, deadline, broken connection) rather than its reader. */
  failure(): SafeFetchError | undefined;
};

export type SafeFetch = (url: string, limits: { maxBytes: number }) => Promise<FetchedBody>;

const STANDARD_PORTS = new Set([80, 443]);
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
type Range = [ipaddr.IPv4 | ipaddr.IPv6, number];

/**
 * Refused even where ipaddr.js would call them unicast, and kept explicit where it already does not: cloud
 * metadata (AWS/GCP/Azure 169.254.169.254, AWS IPv6 fd00:ec2::254, Oracle 192.0.0.192, Alibaba in CGNAT),
 * "this network", IPv4-compatible, -mapped and -translated IPv6, NAT64, 6to4, Teredo, ULA and link-local.
 */
const DENIED: Range[] = [
  '0.0.0.0/8', '10.0.0.0/8', '100.64.0.0/10', '127.0.0.0/8', '169.254.0.0/16', '169.254.169.254/32', '172.16.0.0/12',
  '192.0.0.0/24', '192.168.0.0/16', '198.18.0.0/15', '224.0.0.0/3',
  '::/96', '::ffff:0:0/96', '::ffff:0:0:0/96', '64:ff9b::/96', '64:ff9b:1::/48', '100::/64', '2001::/32', '2002::/16',
  'fc00::/7', 'fd00:ec2::254/128', 'fe80::/10', 'fec0::/10', 'ff00::/8',
].map((c) => ipaddr.parseCIDR(c));

const inRange = (ip: ipaddr.IPv4 | ipaddr.IPv6, range: Range) => ip.kind() === range[0].kind() && ip.match(range);

/** Public: a unicast address that no denied range holds. */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address) || isIP(address) === 0) return false;
  const ip = ipaddr.parse(address);
  return ip.range() === 'unicast' && !DENIED.some((r) => inRange(ip, r));
}

type AllowEntry = { range: Range; port: number | undefined };

/** Parses the allow-list; throws on an entry that is not `IP:port`, `[IPv6]:port`, a CIDR or an IP. */
export function parseAllowList(entries: readonly string[]): AllowEntry[] {
  return entries.map((entry) => {
    const withPort = /^\[([0-9a-f:.]+)\]:(\d{1,5})$/i.exec(entry) ?? /^(\d{1,3}(?:\.\d{1,3}){3}):(\d{1,5})$/.exec(entry);
    const port = withPort ? Number(withPort[2]) : undefined;
    const host = withPort ? withPort[1]! : entry;
    if (port !== undefined && (port < 1 || port > 65535)) throw new Error(`allow-list entry "${entry}": bad port`);
    if (host.includes('/') && ipaddr.isValidCIDR(host)) return { range: ipaddr.parseCIDR(host), port };
    if (isIP(host) === 0) throw new Error(`allow-list entry "${entry}" is not IP:port, [IPv6]:port, a CIDR or an IP`);
    const ip = ipaddr.parse(host);
    return { range: [ip, ip.kind() === 'ipv4' ? 32 : 128], port };
  });
}

export type AddressGuard = {
  /** Steps 1–5: a URL we may try to connect to, or a SafeFetchError saying why not. */
  checkUrl(raw: string, hop: number): { url: URL; port: number };
  /** Step 6: the lookup a request must use (every resolved address checked, then pinned). */
  lookup(port: number, hop: number): LookupFunction;
  /** The connect-time check (request-filtering-agent), no keep-alive. */
  agent(protocol: string): http.Agent;
};

/** The address checks every outbound request to a user's URL goes through (fetches and webhook posts). */
export function createAddressGuard(options: Pick<SafeFetchOptions, 'allowList' | 'lookup'> = {}): AddressGuard {
  const allow = parseAllowList(options.allowList ?? []);
  const resolve: Resolver = options.lookup ?? ((host) => dnsLookup(host, { all: true, verbatim: true }));
  // The agent's own list holds addresses only: the ports are ours to check (below). Single addresses go as
  // addresses: it compares those as strings, while a CIDR of the other IP version makes it log a warning.
  const single = (e: AllowEntry) => e.range[1] === (e.range[0].kind() === 'ipv4' ? 32 : 128);
  const allowIPAddressList = allow.map((e) => (single(e) ? e.range[0].toString() : `${e.range[0].toString()}/${e.range[1]}`));
  const agentOptions = { keepAlive: false, allowIPAddressList };
  const agents = { 'http:': new RequestFilteringHttpAgent(agentOptions), 'https:': new RequestFilteringHttpsAgent(agentOptions) };

  /** undefined when allowed, else why not. */
  function verdict(address: string, port: number): 'address' | 'port' | undefined {
    const ip = ipaddr.parse(address);
    if (allow.some((e) => inRange(ip, e.range) && (e.port === undefined ? STANDARD_PORTS.has(port) : e.port === port))) return undefined;
    if (!isPublicAddress(address)) return 'address';
    return STANDARD_PORTS.has(port) ? undefined : 'port';
  }

  function checkUrl(raw: string, hop: number): { url: URL; port: number } {
    let url: URL;
    try {
      url = new URL(raw); // WHATWG: 2130706433, 0x7f.1 and 127.1 all become 127.0.0.1
    } catch {
      throw refusal('invalid_url', hop);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw refusal('scheme', hop);
    if (url.username || url.password) throw refusal('userinfo', hop);
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    if (!host) throw refusal('invalid_url', hop);
    const port = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
    if (isIP(host) !== 0) {
      const no = verdict(host, port);
      if (no) throw refusal(no, hop, { literal: true });
    } else if (!STANDARD_PORTS.has(port) && !allow.some((e) => e.port === port)) {
      throw refusal('port', hop);
    }
    return { url, port };
  }

  function lookup(port: number, hop: number): LookupFunction {
    return (hostname, opts, callback) => {
      resolve(hostname)
        .then((found) => {
          const family = opts.family === 'IPv4' ? 4 : opts.family === 'IPv6' ? 6 : opts.family;
          const usable = found.filter((a) => isIP(a.address) !== 0 && (!family || family === a.family));
          if (usable.length === 0) throw refusal('dns', hop);
          for (const a of usable) {
            const no = verdict(a.address, port);
            if (no) throw refusal(no, hop);
          }
          if (opts.all) callback(null, usable);
          else callback(null, usable[0]!.address, usable[0]!.family);
        })
        .catch((err: unknown) => callback(err instanceof SafeFetchError ? err : refusal('dns', hop), ''));
    };
  }

  return { checkUrl, lookup, agent: (protocol) => agents[protocol as 'http:' | 'https:'] };
}

export function createSafeFetcher(options: SafeFetchOptions = {}): SafeFetch {
  const guard = createAddressGuard(options);
  const timeoutMs = options.timeoutMs ?? 30_000;
  const headerTimeoutMs = options.headerTimeoutMs ?? 5_000;
  const maxRedirects = options.maxRedirects ?? 3;
  const checkUrl = guard.checkUrl;

  /** Step 7: one GET, answered with its headers within the header timeout and the overall deadline. */
  function get(url: URL, port: number, hop: number, deadline: number): Promise<IncomingMessage> {
    return new Promise((resolveResponse, reject) => {
      const left = deadline - Date.now();
      if (left <= 0) return reject(refusal('timeout', hop, { timeoutMs }));
      // No cookies or credentials are ever sent, so none can follow a redirect to another host.
      const headers = { accept: 'image/*,*/*;q=0.5', 'accept-encoding': 'identity', 'user-agent': 'Picora (upload from URL)' };
      const request = (url.protocol === 'https:' ? https : http).request(url, {
        method: 'GET', agent: guard.agent(url.protocol), lookup: guard.lookup(port, hop), headers,
      });
      const timer = setTimeout(() => request.destroy(refusal('timeout', hop, { timeoutMs })), Math.min(headerTimeoutMs, left));
      request.once('response', (res) => {
        clearTimeout(timer);
        resolveResponse(res);
      });
      request.on('error', (err) => {
        clearTimeout(timer);
        reject(err instanceof SafeFetchError ? err : refusal('network', hop));
      });
      request.end();
    });
  }

  /** Step 10: the body through a byte cap and the deadline. */
  function capped(res: IncomingMessage, hop: number, deadline: number, maxBytes: number): { body: Readable; failure(): SafeFetchError | undefined } {
    let failure: SafeFetchError | undefined;
    const fail = (e: SafeFetchError) => (failure ??= e);
    let received = 0;
    const body = new Transform({
      transform(chunk: Buffer, _enc, done) {
        received += chunk.length;
        if (received > maxBytes) return done(fail(refusal('too_large', hop, { maxBytes })));
        done(null, chunk);
      },
    });
    // Recorded for the reader, who sees the same error through its own pipeline; never an unhandled 'error'.
    body.on('error', (err) => err instanceof SafeFetchError && fail(err));
    res.on('error', () => !body.destroyed && body.destroy(fail(refusal('network', hop))));
    const timer = setTimeout(() => body.destroy(fail(refusal('timeout', hop, { timeoutMs }))), Math.max(0, deadline - Date.now()));
    body.once('close', () => {
      clearTimeout(timer);
      res.destroy();
    });
    res.pipe(body);
    return { body, failure: () => failure };
  }

  return async function safeFetch(raw, { maxBytes }) {
    const deadline = Date.now() + timeoutMs;
    let current = raw;
    for (let hop = 0; ; hop++) {
      const { url, port } = checkUrl(current, hop);
      const res = await get(url, port, hop, deadline);
      const status = res.statusCode ?? 0;
      // Step 8: a redirect starts again at step 1 with its target; step 9: only a 2xx within the cap is read.
      if (REDIRECTS.has(status)) {
        res.destroy();
        const location = res.headers.location;
        if (!location) throw refusal('status', hop, { status });
        if (hop >= maxRedirects) throw refusal('redirects', hop, { maxRedirects });
        try {
          current = new URL(location, url).href; // a relative Location is resolved against the hop that sent it
        } catch {
          throw refusal('invalid_url', hop + 1);
        }
        continue;
      }
      if (status < 200 || status > 299) {
        res.destroy();
        throw refusal('status', hop, { status });
      }
      const length = Number(res.headers['content-length']);
      if (Number.isFinite(length) && length > maxBytes) {
        res.destroy();
        throw refusal('too_large', hop, { maxBytes });
      }
      return { ...capped(res, hop, deadline, maxBytes), url: url.href, filename: filenameOf(res, url) };
    }
  };
}

type Detail = { literal?: boolean; status?: number; timeoutMs?: number; maxRedirects?: number; maxBytes?: number };

/** The refusal, worded to follow "url …" (a later hop: "url redirects to a URL that …"). */
export function refusal(reason: SafeFetchReason, hop: number, d: Detail = {}): SafeFetchError {
  const what: Record<SafeFetchReason, string> = {
    invalid_url: 'is not a valid URL',
    scheme: 'does not use http or https',
    userinfo: 'contains a user name or password',
    port: 'uses a port other than 80 or 443',
    address: d.literal ? 'does not point to a public address' : 'resolves to an address that is not public',
    dns: 'names a host that could not be resolved',
    network: 'could not be fetched (the connection failed)',
    timeout: `took longer than ${(d.timeoutMs ?? 0) / 1000} s to fetch`,
    status: d.status && d.status >= 300 && d.status < 400 ? `answered HTTP ${d.status} without a location` : `answered HTTP ${d.status ?? 0}`,
    redirects: `redirects more than ${d.maxRedirects ?? 0} times`,
    too_large: `is larger than ${d.maxBytes ?? 0} bytes`,
  };
  const ownOfHop = reason === 'invalid_url' || reason === 'scheme' || reason === 'userinfo' || reason === 'port' || reason === 'address' || reason === 'dns';
  const message = hop > 0 && ownOfHop ? `redirects to a URL that ${what[reason]}` : what[reason];
  return new SafeFetchError(reason, message, hop);
}

/** Content-Disposition's filename (RFC 6266: filename* first), else the last path segment, as a bare name. */
export function filenameOf(res: Pick<IncomingMessage, 'headers'>, url: URL): string | undefined {
  const cd = res.headers['content-disposition'] ?? '';
  const star = /filename\*\s*=\s*(?:UTF-8|utf-8)''([^;]+)/.exec(cd)?.[1];
  const plain = /filename\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;\s]+))/.exec(cd);
  const candidates = [star && decode(star.trim()), plain && (plain[1]?.replace(/\\(.)/g, '$1') ?? plain[2]), decode(url.pathname.split('/').pop() ?? '')];
  for (const c of candidates) {
    const name = c?.split(/[/\\]/).pop()?.trim();
    if (name && name !== '.' && name !== '..') return name.slice(0, 200);
  }
  return undefined;
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
