// Rewrites every URI of an HLS playlist (media or master) and leaves every other byte as it was: URI lines, and
// the URI="…" attribute of any tag (EXT-X-MAP, EXT-X-MEDIA, EXT-X-KEY, EXT-X-I-FRAME-STREAM-INF, …). The server
// uses it to give each URI of a private video its signed token.

/** `text` with each URI replaced by `rewrite(uri)`. */
export function rewritePlaylistUris(text: string, rewrite: (uri: string) => string): string {
  const parts = text.split(/(\r\n|\n|\r)/); // odd indexes are the line breaks, kept as they were
  for (let i = 0; i < parts.length; i += 2) {
    const line = parts[i]!;
    const content = line.trim();
    if (content === '') continue;
    if (!content.startsWith('#')) {
      const start = line.indexOf(content);
      parts[i] = line.slice(0, start) + checked(rewrite(content)) + line.slice(start + content.length);
    } else if (content.startsWith('#EXT') && line.includes('URI="')) {
      parts[i] = rewriteUriAttributes(line, rewrite);
    }
  }
  return parts.join('');
}

/**
 * A tag line with its URI attribute values rewritten. The attribute list is parsed (quoted values may hold commas
 * and `URI=`), so only a real URI attribute changes; a line that does not parse is left as it is.
 */
function rewriteUriAttributes(line: string, rewrite: (uri: string) => string): string {
  const colon = line.indexOf(':');
  if (colon < 0) return line;
  const attr = /\s*([A-Z0-9-]+)=("[^"\r\n]*"|[^,"\s]*)\s*(,|$)/y;
  let out = line.slice(0, colon + 1);
  let at = colon + 1;
  while (at < line.length) {
    attr.lastIndex = at;
    const m = attr.exec(line);
    if (!m) return line;
    const [whole, name, value] = m as unknown as [string, string, string];
    if (name === 'URI' && value.startsWith('"')) {
      const valueAt = at + whole.indexOf('=') + 1;
      out += line.slice(at, valueAt) + `"${checked(rewrite(value.slice(1, -1)))}"` + line.slice(valueAt + value.length, at + whole.length);
    } else {
      out += whole;
    }
    at += whole.length;
    if (whole.length === 0) return line;
  }
  return out;
}

/** A rewritten URI must stay one line and, inside quotes, hold no quote. */
function checked(uri: string): string {
  if (/["\r\n]/.test(uri)) throw new Error(`a playlist URI cannot hold quotes or line breaks: ${JSON.stringify(uri)}`);
  return uri;
}
