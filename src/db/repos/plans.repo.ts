import type { Db } from '../db.js';
import type { PlanId, PlanRow } from '../schema.js';

export function createPlansRepo(db: Db) {
  return {
    list: (): Promise<PlanRow[]> => db.selectFrom('plans').selectAll().orderBy('sortOrder').execute(),
    findById: (id: PlanId): Promise<PlanRow | undefined> => db.selectFrom('plans').selectAll().where('id', '=', id).executeTakeFirst(),
  };
}

export type PlansRepo = ReturnType<typeof createPlansRepo>;
