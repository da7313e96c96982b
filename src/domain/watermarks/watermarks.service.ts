// Watermark templates (SPEC §15): CRUD for pro_plus accounts. Every call passes the plan gate first; a PATCH
// may carry If-Unmodified-Since and is applied by compare-and-set, so a stale writer learns it lost.
import { AppError, validationError } from '../../errors/app-error.js';
import type { ImagesRepo } from '../../db/repos/images.repo.js';
import type { PlansRepo } from '../../db/repos/plans.repo.js';
import type { WatermarkTemplatePatch, WatermarksRepo, WatermarkTemplateView } from '../../db/repos/watermarks.repo.js';
import type { WatermarkTemplateRow } from '../../db/schema.js';
import type { Principal } from '../../auth/principal.js';
import type { Clock } from '../../lib/clock.js';
import { newId } from '../../lib/ids.js';
import {
  DEFAULTS, checkFontSize, checkOpacity, checkPosition, cleanName, cleanText, imageIdOf, preconditionLimit, requireOwnTemplate, requireWatermarkPlan,
} from './watermark-policy.js';

export const DEFAULT_MAX_TEMPLATES = 50;

type Deps = { watermarks: WatermarksRepo; images: Pick<ImagesRepo, 'findById'>; plans: PlansRepo; clock: Clock; maxTemplates?: number };

export type WatermarkInput = {
  name?: string;
  type?: 'text' | 'image';
  position?: string;
  opacity?: number;
  text?: string;
  fontSize?: number;
  imageUrl?: string;
};

/** A PATCH either applies, or loses to a change made after the client's If-Unmodified-Since. */
export type UpdateResult = { ok: true; template: WatermarkTemplateView } | { ok: false; reason: 'modified'; current: WatermarkTemplateView };

export function createWatermarksService(deps: Deps) {
  const { watermarks, images, plans, clock } = deps;
  const maxTemplates = deps.maxTemplates ?? DEFAULT_MAX_TEMPLATES;

  async function gate(p: Principal): Promise<void> {
    requireWatermarkPlan(await plans.findById(p.plan));
  }

  async function own(p: Principal, id: string): Promise<WatermarkTemplateView> {
    return requireOwnTemplate(await watermarks.findById(id), p);
  }

  /** The id of an image in the caller's own library, or 422 naming imageUrl. */
  async function ownImage(p: Principal, imageUrl: string): Promise<string> {
    const id = imageIdOf(imageUrl);
    const row = await images.findById(id);
    if (!row || row.userId !== p.userId) throw validationError('imageUrl', 'must be the URL of an image in your library');
    return id;
  }

  /** The checked fields of an input (only those it carries). */
  async function fieldsOf(p: Principal, input: WatermarkInput): Promise<Omit<WatermarkTemplatePatch, 'updatedAt'>> {
    const out: Omit<WatermarkTemplatePatch, 'updatedAt'> = {};
    if (input.name !== undefined) out.name = cleanName(input.name);
    if (input.type !== undefined) {
      if (input.type !== 'text' && input.type !== 'image') throw validationError('type', 'must be text or image');
      out.kind = input.type;
    }
    if (input.position !== undefined) out.position = checkPosition(input.position);
    if (input.opacity !== undefined) out.opacity = checkOpacity(input.opacity);
    if (input.fontSize !== undefined) out.fontSize = checkFontSize(input.fontSize);
    if (input.text !== undefined) out.text = cleanText(input.text);
    if (input.imageUrl !== undefined) out.imageId = await ownImage(p, input.imageUrl);
    return out;
  }

  /** A text mark needs its text, an image mark its image. */
  function checkComplete(t: Pick<WatermarkTemplateRow, 'kind' | 'text' | 'imageId'>): void {
    if (t.kind === 'text' && t.text === null) throw validationError('text', 'is required for a text watermark');
    if (t.kind === 'image' && t.imageId === null) throw validationError('imageUrl', 'is required for an image watermark');
  }

  return {
    async create(p: Principal, input: WatermarkInput): Promise<WatermarkTemplateView> {
      await gate(p);
      if (input.name === undefined) throw validationError('name', 'is required');
      if (input.type === undefined) throw validationError('type', 'is required');
      const f = await fieldsOf(p, input);
      const now = clock.now();
      const row: WatermarkTemplateRow = {
        id: newId(),
        userId: p.userId,
        name: f.name!,
        kind: f.kind!,
        text: f.kind === 'text' ? (f.text ?? null) : null,
        imageId: f.kind === 'image' ? (f.imageId ?? null) : null,
        position: f.position ?? DEFAULTS.position,
        opacity: f.opacity ?? DEFAULTS.opacity,
        fontSize: f.fontSize ?? DEFAULTS.fontSize,
        createdAt: now,
        updatedAt: now,
      };
      checkComplete(row);
      if (!(await watermarks.insertWithinLimit(row, maxTemplates))) throw new AppError('VALIDATION_ERROR', `Validation error: an account may hold at most ${maxTemplates} watermark templates; delete one first`, { field: 'templates', limit: maxTemplates });
      return own(p, row.id);
    },

    async list(p: Principal): Promise<WatermarkTemplateView[]> {
      await gate(p);
      return watermarks.listForUser(p.userId);
    },

    async get(p: Principal, id: string): Promise<WatermarkTemplateView> {
      await gate(p);
      return own(p, id);
    },

    /**
     * Changes the given fields. `ifUnmodifiedSince` (the raw header) makes it conditional: when the template
     * changed after that time nothing is written and the current state comes back with `ok: false`.
     */
    async update(p: Principal, id: string, input: WatermarkInput, ifUnmodifiedSince?: string): Promise<UpdateResult> {
      await gate(p);
      const limit = preconditionLimit(ifUnmodifiedSince);
      const f = await fieldsOf(p, input);
      if (Object.keys(f).length === 0) throw validationError('body', 'must change at least one field');
      for (let attempt = 0; attempt < 5; attempt++) {
        const current = await own(p, id);
        if (limit !== undefined && current.updatedAt > limit) return { ok: false, reason: 'modified', current };
        const kind = f.kind ?? current.kind;
        const patch: WatermarkTemplatePatch = {
          ...f,
          // Strictly later than before, even within one millisecond: updatedAt is part of every variant key.
          updatedAt: Math.max(clock.now(), current.updatedAt + 1),
        };
        checkComplete({ kind, text: f.text ?? current.text, imageId: f.imageId ?? current.imageId });
        if (await watermarks.updateIfUnchanged(id, current.updatedAt, patch)) return { ok: true, template: await own(p, id) };
        // Someone else wrote in between: re-read, and let the precondition judge again.
      }
      throw new AppError('CONFLICT', 'The watermark template is being changed concurrently; try again');
    },

    async remove(p: Principal, id: string): Promise<void> {
      await gate(p);
      await own(p, id);
      if (!(await watermarks.delete(p.userId, id))) throw new AppError('NOT_FOUND', 'Watermark template not found');
    },
  };
}

export type WatermarksService = ReturnType<typeof createWatermarksService>;
