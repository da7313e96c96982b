// A hostile file as a case: uploaded as the corpus account; whatever is accepted is then fetched as a rendition
// and as the original, so the render path sees it too.
import assert from 'node:assert/strict';
import { bearer, uploadedPath, uploadSpec, type HostileCase } from './case.js';

/** How an upload of this input must end, beyond the rules every answer obeys. */
type Expect = { refuse?: string[] };
/** `heavy`: known to keep a media worker busy for seconds; such inputs run one at a time (corpus.test.ts). */
export type FileInput = { name: string; data: Buffer; filename: string; renders?: string[]; heavy?: boolean } & Expect;

/** The refusal for bytes that are not an accepted type (CONTRACT §2: judged by magic bytes). */
export const NOT_AN_IMAGE = ['INVALID_FILE_TYPE'];
/** The refusals for a file that may not be stored: too many pixels or frames, too big, undecodable. */
export const REFUSED_IMAGE = ['VALIDATION_ERROR', 'INVALID_FILE_TYPE', 'FILE_TOO_LARGE'];

export function fileCase(group: string, input: FileInput): HostileCase {
  return {
    name: `${group} › ${input.name} (${input.data.length} B as ${input.filename})`,
    async run(io) {
      const up = await io.send('upload', uploadSpec(io, input.data, input.filename));
      if (input.refuse) {
        assert.ok(
          up.error && input.refuse.includes(up.error.code),
          `${group} › ${input.name}: must be refused with ${input.refuse.join(' | ')}, got ${up.status} ${up.body.toString('utf8').slice(0, 200)}`,
        );
      }
      const media = uploadedPath(up);
      if (!media) return;
      for (const q of input.renders ?? ['w=256&fmt=webp']) await io.send(`render ?${q}`, { path: `${media}?${q}` });
      await io.send('original', { path: media, headers: bearer(io.target.user.key) });
    },
  };
}
