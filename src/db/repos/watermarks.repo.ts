// Watermark templates. Queries only; plan gates, ownership and validation live in domain/watermarks.
import { sql } from 'kysely';
import type { Db } from '../db.js';
import type { WatermarkTemplateRow } from '../schema.js';
import { withUserLock } from './user-lock.js';

/** A template with the extension of its image (to build the image's URL), when it has one. */
export type WatermarkTemplateView = WatermarkTemplateRow & { imageExt: string | null };

export type WatermarkTemplatePatch = Partial<Pick<WatermarkTemplateRow, 'name' | 'kind' | 'text' | 'imageId' | 'position' | 'opacity' | 'fontSize'>> & {
  updatedAt: number;
};

export function createWatermarksRepo(db: Db, dialect: 'sqlite' | 'postgres') {
  const withImage = () =>
    db
      .selectFrom('watermarkTemplates')
      .leftJoin('images', 'images.id', 'watermarkTemplates.imageId')
      .selectAll('watermarkTemplates')
      .select('images.ext as imageExt');

  return {
    /**
     * Inserts the template unless the user already holds `max`; the count and the insert run under the
     * user's lock, so concurrent creates cannot overshoot.
     */
    insertWithinLimit: (row: WatermarkTemplateRow, max: number): Promise<boolean> =>
      withUserLock(db, dialect, row.userId, async (trx) => {
        const { n } = await trx
          .selectFrom('watermarkTemplates')
          .select(sql<number>`count(*)`.as('n'))
          .where('userId', '=', row.userId)
          .executeTakeFirstOrThrow();
        if (Number(n) >= max) return false;
        await trx.insertInto('watermarkTemplates').values(row).execute();
        return true;
      }),

    findById: (id: string): Promise<WatermarkTemplateView | undefined> => withImage().where('watermarkTemplates.id', '=', id).executeTakeFirst(),

    /** Newest first. */
    listForUser: (userId: string): Promise<WatermarkTemplateView[]> =>
      withImage().where('watermarkTemplates.userId', '=', userId).orderBy('watermarkTemplates.createdAt', 'desc').orderBy('watermarkTemplates.id', 'desc').execute(),

    /** Applies the patch only if the row still carries `expectedUpdatedAt` (compare-and-set); false otherwise. */
    updateIfUnchanged: async (id: string, expectedUpdatedAt: number, patch: WatermarkTemplatePatch): Promise<boolean> => {
      const r = await db.updateTable('watermarkTemplates').set(patch).where('id', '=', id).where('updatedAt', '=', expectedUpdatedAt).executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },

    delete: async (userId: string, id: string): Promise<boolean> => {
      const r = await db.deleteFrom('watermarkTemplates').where('id', '=', id).where('userId', '=', userId).executeTakeFirst();
      return Number(r.numDeletedRows) === 1;
    },
  };
}

export type WatermarksRepo = ReturnType<typeof createWatermarksRepo>;
