// The route table of the real app, as Fastify builds it, and the map from an id parameter to the kind of
// resource it names. Routes are collected with an onRoute hook attached the moment a Fastify instance is
// created (the `fastify.initialization` diagnostics channel), so every route buildApp registers is seen,
// whatever plugin it sits in — a new route is covered without anyone remembering to list it.
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { FastifyInstance, RouteOptions } from 'fastify';

export type SeenRoute = { method: string; url: string; auth: string; adminOnly: boolean };

/** Runs `build` while collecting every route of every Fastify instance it creates. */
export async function collectRoutes<T>(build: () => Promise<T>): Promise<{ value: T; routes: SeenRoute[] }> {
  const routes: SeenRoute[] = [];
  const onInit = (message: unknown) => {
    const { fastify } = message as { fastify: FastifyInstance };
    fastify.addHook('onRoute', (r: RouteOptions) => {
      const config = (r.config ?? {}) as { auth?: string; adminOnly?: boolean };
      for (const method of [r.method].flat()) routes.push({ method, url: r.url, auth: config.auth ?? 'public', adminOnly: config.adminOnly === true });
    });
  };
  subscribe('fastify.initialization', onInit);
  try {
    const value = await build();
    const seen = new Set<string>();
    return { value, routes: routes.filter((r) => !seen.has(`${r.method} ${r.url}`) && seen.add(`${r.method} ${r.url}`)) };
  } finally {
    unsubscribe('fastify.initialization', onInit);
  }
}

/** The path parameters of a route url (`/v1/images/:id/sign` → ['id']). */
export const paramsOf = (url: string): string[] => [...url.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => m[1]!);

/**
 * What each id parameter names, by the route's path. Resources an account owns, resources that are nobody's
 * but only an admin may touch (plans), and the public media host, which has rules of its own (CONTRACT §6):
 * another account's private file is 403, an original is for its owner only.
 */
export type Kind = 'image' | 'video' | 'audio' | 'collection' | 'audioFile' | 'apiKey' | 'watermark' | 'domain' | 'webhook' | 'media' | 'avatar' | 'upload' | 'user' | 'plan' | 'mediaFile' | 'videoFile';

export const KIND_BY_ROUTE: Array<{ pattern: RegExp; param: string; kind: Kind }> = [
  { pattern: /^\/v1\/images\/:id(\/|$)/, param: 'id', kind: 'image' },
  { pattern: /^\/v1\/videos\/:id(\/|$)/, param: 'id', kind: 'video' },
  { pattern: /^\/v\/:id\/\*$/, param: 'id', kind: 'videoFile' },
  { pattern: /^\/v1\/audio\/:id(\/|$)/, param: 'id', kind: 'audio' },
  { pattern: /^\/audio(-cover)?\/:file$/, param: 'file', kind: 'audioFile' },
  // the unified library: any of A's images, videos and audio by id
  { pattern: /^\/v1\/media\/:id$/, param: 'id', kind: 'media' },
  // public by contract (SPEC §12): anyone may fetch A's avatar bytes, and nothing else (PUBLIC_FOR_ANYONE in the matrix)
  { pattern: /^\/v1\/user\/avatar\/:userId$/, param: 'userId', kind: 'avatar' },
  // A's resumable (tus) upload session, half sent
  { pattern: /^\/v1\/uploads\/:id$/, param: 'id', kind: 'upload' },
  { pattern: /^\/v1\/api-keys\/:id(\/tool-configs)?$/, param: 'id', kind: 'apiKey' },
  { pattern: /^\/v1\/domains\/:id(\/verify)?$/, param: 'id', kind: 'domain' },
  // A's photo album (with A's private image filed in it)
  { pattern: /^\/v1\/collections\/:id$/, param: 'id', kind: 'collection' },
  { pattern: /^\/v1\/webhooks\/:id(\/rotate-secret|\/test|\/deliveries)?$/, param: 'id', kind: 'webhook' },
  { pattern: /^\/v1\/watermark-templates\/:id$/, param: 'id', kind: 'watermark' },
  { pattern: /^\/v1\/admin\/users\/:id$/, param: 'id', kind: 'user' },
  { pattern: /^\/v1\/admin\/plans\/:id$/, param: 'id', kind: 'plan' },
  { pattern: /^\/:file$/, param: 'file', kind: 'mediaFile' },
];

/** The kind of every parameter of `url`, or the parameters nobody has mapped yet. */
export function kindsOf(url: string): { kinds: Record<string, Kind>; unknown: string[] } {
  const kinds: Record<string, Kind> = {};
  const unknown: string[] = [];
  for (const p of paramsOf(url)) {
    const hit = KIND_BY_ROUTE.find((k) => k.param === p && k.pattern.test(url));
    if (hit) kinds[p] = hit.kind;
    else unknown.push(p);
  }
  return { kinds, unknown };
}
