// Who may upload, see and change a video: the plan gate (pro and pro_plus), ownership, and playback access.
import { AppError, planRequired } from '../../errors/app-error.js';
import type { PlanRow, VideoRow } from '../../db/schema.js';
import type { Principal } from '../../auth/principal.js';

export const VIDEO_PLAN = 'pro';

/** PLAN_REQUIRED (meta.requiredPlan: pro) unless the plan has video. */
export function requireVideoPlan(plan: PlanRow | undefined): PlanRow {
  if (!plan || plan.videoEnabled !== 1) throw planRequired(VIDEO_PLAN, 'Video hosting');
  return plan;
}

/** The video if the caller owns it; FORBIDDEN when it is someone else's; NOT_FOUND when it does not exist. */
export function requireVideoOwner(row: VideoRow | undefined, p: Principal): VideoRow {
  if (!row) throw new AppError('NOT_FOUND', 'Video not found');
  if (row.userId !== p.userId) throw new AppError('FORBIDDEN', 'This video belongs to another account');
  return row;
}

/** Display title: the given one, else the file name without its extension (SPEC §8.3). */
export function defaultTitle(title: string | null, filename: string): string {
  if (title) return title;
  const dot = filename.lastIndexOf('.');
  return (dot > 0 ? filename.slice(0, dot) : filename) || 'Untitled video';
}
