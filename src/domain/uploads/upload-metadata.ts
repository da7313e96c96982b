// A resumable upload's Upload-Metadata (tus base64 pairs, already decoded): what the finished file becomes
// (`resourceType`), its display name and the fields a direct upload takes (title, isPublic, tags). The declared
// content type is only a hint for the resource type: the bytes decide what the file is, as for any upload.
import { validationError } from '../../errors/app-error.js';
import { parseUploadFields, type UploadFields } from '../images/upload.service.js';

export type ResumableKind = 'image' | 'video' | 'audio';
export const RESUMABLE_KINDS: readonly ResumableKind[] = ['image', 'video', 'audio'];

export type SessionMetadata = { resourceType: ResumableKind; filename: string | undefined; contentType: string | undefined; fields: UploadFields };

const MAX_KEYS = 20;
const MAX_VALUE = 1024;
const MAX_TAGS_VALUE = 4096;
const CONTENT_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$/i;

const field = (name: string, problem: string) => validationError(`Upload-Metadata ${name}`, problem);

/** Validates the decoded metadata of a new session; 422 naming the key for anything wrong. */
export function parseSessionMetadata(raw: Record<string, string | null> | undefined): SessionMetadata {
  const m = raw ?? {};
  const keys = Object.keys(m);
  if (keys.length > MAX_KEYS) throw field('', `may hold at most ${MAX_KEYS} keys`);
  for (const k of keys) {
    const v = m[k];
    if (v !== null && v !== undefined && v.length > (k === 'tags' ? MAX_TAGS_VALUE : MAX_VALUE)) throw field(k, 'is too long');
  }
  const get = (...names: string[]): string | undefined => {
    for (const n of names) {
      const v = m[n];
      if (typeof v === 'string' && v.trim() !== '') return v.trim();
    }
    return undefined;
  };

  const contentType = get('contentType', 'filetype', 'type');
  if (contentType !== undefined && !CONTENT_TYPE.test(contentType)) throw field('contentType', 'must be a media type such as image/png');
  const declared = get('resourceType');
  let resourceType: ResumableKind;
  if (declared !== undefined) {
    if (!(RESUMABLE_KINDS as readonly string[]).includes(declared)) throw field('resourceType', 'must be image, video or audio');
    resourceType = declared as ResumableKind;
  } else {
    const top = contentType?.split('/')[0]?.toLowerCase();
    resourceType = top === 'video' || top === 'audio' ? top : 'image';
  }
  const filename = get('filename', 'name');
  if (filename !== undefined && [...filename].length > 255) throw field('filename', 'must be at most 255 characters');
  const fields: UploadFields = { title: get('title'), isPublic: get('isPublic', 'is_public'), tags: get('tags') };
  parseUploadFields(fields); // refuses a bad title, isPublic or tags now rather than after the last byte
  return { resourceType, filename, contentType, fields };
}
