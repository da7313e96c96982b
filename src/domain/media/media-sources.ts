// One small "source" per media type: how the unified library loads, presents, reads and deletes that type.
// Deletes go through the type's own service, so its objects, quota and tombstone are handled in one place.
// A new type (audio) plugs in by adding a source next to these and passing it to the media services.
import type { ImagesRepo } from '../../db/repos/images.repo.js';
import type { MediaType } from '../../db/repos/media.repo.js';
import type { VideosRepo } from '../../db/repos/videos.repo.js';
import type { Principal } from '../../auth/principal.js';
import type { ImagesService } from '../images/images.service.js';
import type { VideosService } from '../videos/videos.service.js';
import { presentImageItem, presentVideoItem, type MediaItem } from './media-presenter.js';

export type MediaSource = {
  type: MediaType;
  /** The caller's items among `ids`, presented (ids of others or of deleted rows are left out). */
  load(p: Principal, ids: string[]): Promise<MediaItem[]>;
  /** One item: NOT_FOUND when it does not exist, FORBIDDEN when it is someone else's. */
  get(p: Principal, id: string): Promise<MediaItem>;
  /** Deletes one item with everything it has (same errors as `get`). */
  remove(p: Principal, id: string): Promise<void>;
  /**
   * Optional, for the bulk delete: deletes the caller's items among `ids` (a page of up to 500) in one go and
   * returns the ids deleted (others' and vanished ids are skipped). Without it the bulk delete calls `remove`
   * for each id, which is correct but slow at 100k items.
   */
  removeBatch?(p: Principal, ids: string[]): Promise<string[]>;
};

export function imageSource(deps: { images: ImagesRepo; service: Pick<ImagesService, 'get' | 'remove' | 'removeBatch'>; mediaBaseUrl: string }): MediaSource {
  return {
    type: 'image',
    load: async (p, ids) => (await deps.images.findManyForUser(p.userId, ids)).map((row) => presentImageItem(row, deps.mediaBaseUrl)),
    get: async (p, id) => presentImageItem(await deps.service.get(p, id), deps.mediaBaseUrl),
    remove: (p, id) => deps.service.remove(p, id),
    removeBatch: (p, ids) => deps.service.removeBatch(p, ids),
  };
}

export function videoSource(deps: { videos: VideosRepo; service: Pick<VideosService, 'get' | 'remove' | 'removeBatch' | 'present' | 'presentMany'> }): MediaSource {
  return {
    type: 'video',
    async load(p, ids) {
      const rows = await deps.videos.findManyForUser(p.userId, ids);
      return (await deps.service.presentMany(p, rows)).map((v, i) => presentVideoItem(v, rows[i]!.sha256));
    },
    async get(p, id) {
      const row = await deps.service.get(p, id);
      return presentVideoItem(await deps.service.present(p, row), row.sha256);
    },
    remove: (p, id) => deps.service.remove(p, id),
    removeBatch: (p, ids) => deps.service.removeBatch(p, ids),
  };
}
