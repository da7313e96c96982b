import type { Db } from '../db.js';
import type { ImageVariantRow } from '../schema.js';

export function createVariantsRepo(db: Db) {
  return {
    find: (imageId: string, variantKey: string): Promise<ImageVariantRow | undefined> =>
      db.selectFrom('imageVariants').selectAll().where('imageId', '=', imageId).where('variantKey', '=', variantKey).executeTakeFirst(),

    /** Records a stored variant; a concurrent insert of the same key is not an error. */
    insert: async (row: ImageVariantRow): Promise<void> => {
      await db.insertInto('imageVariants').values(row).onConflict((oc) => oc.columns(['imageId', 'variantKey']).doNothing()).execute();
    },

    countFor: async (imageId: string): Promise<number> => (await db.selectFrom('imageVariants').select('variantKey').where('imageId', '=', imageId).execute()).length,
  };
}

export type VariantsRepo = ReturnType<typeof createVariantsRepo>;
