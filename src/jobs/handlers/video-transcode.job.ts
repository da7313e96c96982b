// video.transcode: one job per video (key transcode-<id>), bounded concurrency, a time budget from the clip's
// length; when its attempts are spent the video is marked failed with the reason. The reconciler re-adds a job
// for any video left processing without one (BullMQ cannot join the upload's transaction).
import type { VideosRepo } from '../../db/repos/videos.repo.js';
import type { TranscodeService } from '../../domain/videos/transcode.service.js';
import { transcodeBudgetMs } from '../../domain/videos/transcode.service.js';
import type { JobQueue } from '../queue.js';

export function registerVideoTranscodeJob(jobs: JobQueue, deps: { transcodes: TranscodeService; videos: VideosRepo; concurrency: number; now: () => number }): void {
  if (deps.concurrency > 0) {
    jobs.handle('video.transcode', (payload, ctx) => deps.transcodes.run(payload.videoId, ctx), {
      concurrency: deps.concurrency,
      timeoutMs: () => transcodeBudgetMs(2 * 3600),
      onDead: (payload, error) => deps.transcodes.fail(payload.videoId, error),
    });
  }
  // Videos still processing that nobody has touched for 10 minutes: make sure a job exists (the key dedupes).
  jobs.reconcile(
    'video.transcode',
    async () => (await deps.videos.processingSince(deps.now() - 10 * 60_000, 100)).map((v) => ({ payload: { videoId: v.id }, key: `transcode-${v.id}` })),
    5 * 60_000,
  );
}
