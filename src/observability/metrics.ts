// Prometheus metrics (prom-client) on a registry of this app's own: requests, latency, bytes, renders,
// cache hits, quota and rate-limit rejections, durable jobs (counts by state, attempt durations).
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

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
  // Job counts are read from the queue at scrape time: deps.ts sets the source once the queue exists.
  let jobCountsSource: (() => Promise<Array<{ queue: string; state: string; count: number }>>) | undefined;
  new Gauge({
    name: 'picora_jobs',
    help: 'Durable jobs by queue and state (queued, delayed, active, done, failed)',
    labelNames: ['queue', 'state'],
    registers: [registry],
    async collect() {
      this.reset();
      if (!jobCountsSource) return;
      try {
        for (const c of await jobCountsSource()) this.set({ queue: c.queue, state: c.state }, c.count);
      } catch {
        // the database or Redis is unreachable: no job series in this scrape rather than a failed scrape
      }
    },
  });
  const jobDuration = new Histogram({
    name: 'picora_job_duration_seconds',
    help: 'Job attempts by queue and outcome (done, retry, failed)',
    labelNames: ['queue', 'outcome'],
    buckets: [0.05, 0.25, 1, 5, 15, 60, 300, 900, 3600, 7200],
    registers: [registry],
  });
  const setJobCounts = (source: typeof jobCountsSource) => void (jobCountsSource = source);
  return { registry, requests, latency, bytesUploaded, bytesServed, renders, cacheHits, quotaRejections, rateLimited, jobDuration, setJobCounts };
}

export type Metrics = ReturnType<typeof createMetrics>;
