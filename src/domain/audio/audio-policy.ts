// Who may upload, see and change audio: the plan gate (pro and pro_plus), ownership, and the display title.
import { AppError, planRequired } from '../../errors/app-error.js';
import type { AudioRow, PlanRow } from '../../db/schema.js';
import type { Principal } from '../../auth/principal.js';

export const AUDIO_PLAN = 'pro';
/** Titles are at most this many characters (openapi `title.maxLength`). */
export const MAX_AUDIO_TITLE = 255;

/** PLAN_REQUIRED (meta.requiredPlan: pro) unless the plan has audio (media hosting and an audio size limit). */
export function requireAudioPlan(plan: PlanRow | undefined): PlanRow {
  if (!plan || plan.videoEnabled !== 1 || plan.maxAudioBytes <= 0 || plan.maxAudioSeconds <= 0) throw planRequired(AUDIO_PLAN, 'Audio hosting');
  return plan;
}

/** The audio if the caller owns it; FORBIDDEN when it is someone else's; NOT_FOUND when it does not exist. */
export function requireAudioOwner(row: AudioRow | undefined, p: Principal): AudioRow {
  if (!row) throw new AppError('NOT_FOUND', 'Audio not found');
  if (row.userId !== p.userId) throw new AppError('FORBIDDEN', 'This audio belongs to another account');
  return row;
}

/** Display title: the given one, else the file's own title tag, else the file name without its extension. */
export function audioTitle(given: string | null, tagged: string | null, filename: string): string {
  if (given) return given;
  if (tagged) return tagged;
  const dot = filename.lastIndexOf('.');
  return ((dot > 0 ? filename.slice(0, dot) : filename) || 'Untitled audio').slice(0, MAX_AUDIO_TITLE);
}
