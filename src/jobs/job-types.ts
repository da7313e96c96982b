// Every queue and the payload its jobs carry. Payloads are JSON: ids only, never bytes or user text.
export type JobPayloads = {
  /** Transcode a video's original into the HLS ladder and poster (src/jobs/handlers/video-transcode.job.ts). */
  'video.transcode': { videoId: string };
  /** Remove every object under a deleted resource's prefix (retried until the store agrees). */
  'storage.purge': { prefix: string };
  /** The objects of one page of a bulk delete: every object under each prefix, and each named key. */
  'storage.purge-batch': { prefixes?: string[]; keys?: string[] };
  /** Send one webhook delivery (its row holds the endpoint, the signed body and the log). */
  'webhook.deliver': { deliveryId: string };
  /** Test queue used by the jobs contract suite only. */
  'test.echo': { n: number; sleepMs?: number; failTimes?: number; marker?: string };
};
