// Photo information read from the original's EXIF at upload (media/exif-info.ts), shown to the owner only.
// Typed nullable columns rather than one JSON column: every field has one type and range, checked once at upload,
// and stays queryable (sort by date taken, filter by camera) without parsing JSON in SQL — the same on SQLite and
// PostgreSQL. NULL costs nothing to store on either, so images without EXIF pay nothing.
import type { Kysely } from 'kysely';

const COLUMNS = [
  ['camera_make', 'text'],
  ['camera_model', 'text'],
  ['lens_model', 'text'],
  ['focal_length_mm', 'double precision'],
  ['f_number', 'double precision'],
  // as written on cameras: "1/250", "0.5", "2"
  ['exposure_time', 'text'],
  ['iso', 'integer'],
  // the camera's wall clock, ISO 8601 without a zone, "±hh:mm" appended when the file records its offset
  ['taken_at', 'text'],
  ['gps_latitude', 'double precision'],
  ['gps_longitude', 'double precision'],
] as const;

export async function up(db: Kysely<unknown>): Promise<void> {
  // one statement per column: SQLite adds one column per ALTER TABLE
  for (const [name, type] of COLUMNS) await db.schema.alterTable('images').addColumn(name, type).execute();
}
