import type { Db } from '../db.js';
import type { PlanId, PlanRow } from '../schema.js';

export function createPlansRepo(db: Db) {
  return {
    list: (): Promise<PlanRow[]> => db.selectFrom('plans').selectAll().orderBy('sortOrder').execute(),
    update: async (id: PlanId, patch: Partial<Omit<PlanRow, 'id'>>): Promise<PlanRow | undefined> => {
      await db.updateTable('plans').set(patch).where('id', '=', id).execute();
      return db.selectFrom('plans').selectAll().where('id', '=', id).executeTakeFirst();
    },
    findById: (id: PlanId): Promise<PlanRow | undefined> => db.selectFrom('plans').selectAll().where('id', '=', id).executeTakeFirst(),
  };
}

export type PlansRepo = ReturnType<typeof createPlansRepo>;
