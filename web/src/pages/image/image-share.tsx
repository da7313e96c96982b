// Copy the image's link in the forms people paste: URL, Markdown, HTML, BBCode.
import type { Image } from '../../api/types';
import { CopyField } from '../../components/ui';

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

export function shareFormats(image: Image): Array<[string, string]> {
  const alt = (image.title || image.filename.replace(/\.[A-Za-z0-9]{1,5}$/, '')).replace(/[[\]]/g, '');
  const size = image.width && image.height ? ` width="${image.width}" height="${image.height}"` : '';
  return [
    ['URL', image.url],
    ['Markdown', `![${alt}](${image.url})`],
    ['HTML', `<img src="${image.url}" alt="${escapeHtml(alt)}"${size} loading="lazy">`],
    ['BBCode', `[img]${image.url}[/img]`],
  ];
}

export function ImageShare({ image }: { image: Image }) {
  return (
    <section className="card" aria-labelledby="share-h">
      <h2 id="share-h">Share</h2>
      {!image.isPublic && (
        <p className="notice">This image is private: these links work only for you. Make it public, or create a signed link below.</p>
      )}
      {shareFormats(image).map(([label, value]) => (
        <CopyField key={label} label={label} value={value} />
      ))}
    </section>
  );
}
