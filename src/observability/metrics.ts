// Prometheus metrics (prom-client) on a registry of this app's own: requests, latency, bytes, renders,
// cache hits, quota and rate-limit rejections.
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export function createMetrics(opts: { defaultMetrics?: boolean } = {}) {
  const registry = new Registry();
  if (opts.defaultMetrics) collectDefaultMetrics({ register: registry, prefix: 'picora_process_' });
  const requests = new Counter({ name: 'picora_http_requests_total', help: 'HTTP requests by route and status', labelNames: ['method', 'route', 'status'], registers: [registry] });
  const latency = new Histogram({
    name: 'picora_http_request_duration_seconds',
    help: 'HTTP latency by route',
    labelNames: ['method', 'route'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
    registers: [registry],
  });
  const bytesUploaded = new Counter({ name: 'picora_bytes_uploaded_total', help: 'Bytes of images stored by uploads', registers: [registry] });
  const bytesServed = new Counter({ name: 'picora_bytes_served_total', help: 'Bytes of media served', registers: [registry] });
  const renders = new Counter({ name: 'picora_renders_total', help: 'Variants rendered with sharp', registers: [registry] });
  const cacheHits = new Counter({ name: 'picora_variant_cache_hits_total', help: 'Variants served from a cache tier', labelNames: ['tier'], registers: [registry] });
  const quotaRejections = new Counter({ name: 'picora_quota_rejections_total', help: 'Requests refused by a quota', labelNames: ['type'], registers: [registry] });
  const rateLimited = new Counter({ name: 'picora_rate_limit_rejections_total', help: 'Requests refused by a rate limit', labelNames: ['tier'], registers: [registry] });
  return { registry, requests, latency, bytesUploaded, bytesServed, renders, cacheHits, quotaRejections, rateLimited };
}

export type Metrics = ReturnType<typeof createMetrics>;
