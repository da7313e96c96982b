import type { WatermarkTemplateView } from '../../db/repos/watermarks.repo.js';
import { toIso } from '../../lib/clock.js';
import type { WatermarkPosition } from '../../media/watermark.js';
import { imageUrl } from '../images/image-presenter.js';

/** The WatermarkTemplate of the OpenAPI contract: text marks carry text and fontSize, image marks imageUrl. */
export type WatermarkTemplateResponse = {
  id: string;
  name: string;
  type: 'text' | 'image';
  position: WatermarkPosition;
  opacity: number;
  text?: string;
  fontSize?: number;
  imageUrl?: string;
  createdAt: string;
  updatedAt: string;
};

export function presentWatermarkTemplate(row: WatermarkTemplateView, mediaBaseUrl: string): WatermarkTemplateResponse {
  const out: WatermarkTemplateResponse = {
    id: row.id,
    name: row.name,
    type: row.kind,
    position: row.position as WatermarkPosition,
    opacity: row.opacity,
    createdAt: toIso(row.createdAt),
    updatedAt: toIso(row.updatedAt),
  };
  if (row.kind === 'text') {
    if (row.text !== null) out.text = row.text;
    out.fontSize = row.fontSize;
  } else if (row.imageId !== null && row.imageExt !== null) {
    out.imageUrl = imageUrl(mediaBaseUrl, { id: row.imageId, ext: row.imageExt });
  }
  return out;
}
