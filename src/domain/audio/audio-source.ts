// Audio in the unified library, the bulk delete and the sync feed: the MediaSource of domain/media/media-sources.ts.
import type { AudioRepo } from '../../db/repos/audio.repo.js';
import type { MediaSource } from '../media/media-sources.js';
import { presentAudioItem } from './audio-presenter.js';
import type { AudioService } from './audio.service.js';

export function audioSource(deps: { audio: AudioRepo; service: Pick<AudioService, 'get' | 'remove' | 'present'> }): MediaSource {
  return {
    type: 'audio',
    load: async (p, ids) => (await deps.audio.findManyForUser(p.userId, ids)).map((row) => presentAudioItem(deps.service.present(row), row.sha256)),
    get: async (p, id) => {
      const row = await deps.service.get(p, id);
      return presentAudioItem(deps.service.present(row), row.sha256);
    },
    remove: (p, id) => deps.service.remove(p, id),
  };
}
