// Sanitises an uploaded SVG so it can be served as image/svg+xml: what we check is what we serve.
// The bytes are parsed as XML (as a browser will), cleaned in place by DOMPurify's SVG profile plus the
// rules below, and serialised back as XML, without an XML declaration or doctype.
// Removed: scripts, on* handlers, foreignObject, animations that retarget href/on*, every href/xlink:href
// that is not a same-document `#fragment` (except data:image rasters on <image>/<feImage>), external url(…)
// and @import in <style> and style/presentation attributes, and <use> elements left pointing nowhere.
// Entities declared in a doctype are not expanded: such a file is refused as corrupt (no XXE, no bombs).
// The markup is measured before parsing: jsdom and DOMPurify slow down quadratically with nesting depth and
// attributes per element, so over-deep or over-busy files are refused as 'too_large' (seconds of CPU otherwise).
import createDOMPurify from 'dompurify';
import type { Config } from 'dompurify';
import { JSDOM } from 'jsdom';
import { MediaError } from './media-error.js';
import { findSvgRoot } from './sniff.js';

const SVG_NS = 'http://www.w3.org/2000/svg';
const PARSE_ERROR_NS = 'http://www.mozilla.org/newlayout/xml/parsererror.xml';

/** Structural limits checked before parsing (a 2 MB drawing of 15,000 paths is far inside them). */
export const SVG_LIMITS = { maxDepth: 256, maxElements: 50_000, maxAttributesPerElement: 256 } as const;

/**
 * Filters are where librsvg spends its time (a 311-byte feTurbulence + blur on a big canvas renders for
 * minutes), so they are bounded here, before any raster exists: a document may hold this many filter
 * primitives (fe* elements), and the primitives whose cost grows with a parameter get it clamped.
 * (Renders also have a hard time budget and a bounded raster size; these keep ordinary renders cheap.)
 */
export const SVG_FILTER_LIMITS = { maxPrimitives: 128, maxTurbulenceOctaves: 4, maxMorphologyRadius: 32, maxConvolveOrder: 5 } as const;

/**
 * Text is laid out by Pango glyph by glyph (1.5 MB of one string keeps a renderer busy for minutes), and embedded
 * rasters are decoded whole whatever size they are drawn at (65 KB of PNG can hold 400 million pixels).
 */
export const SVG_CONTENT_LIMITS = { maxTextChars: 20_000, maxEmbeddedPixels: 25_000_000 } as const;

const { window } = new JSDOM('');
const purify = createDOMPurify(window as unknown as Parameters<typeof createDOMPurify>[0]);

const PURIFY_CONFIG: Config & { IN_PLACE: true } = {
  USE_PROFILES: { svg: true, svgFilters: true },
  ADD_TAGS: ['use'],
  FORBID_TAGS: ['foreignObject', 'script', 'iframe', 'embed', 'object', 'animate', 'set'],
  KEEP_CONTENT: false, // the text of a removed element goes with it
  IN_PLACE: true,
};

const DATA_IMAGE = /^data:image\/(?:png|jpe?g|gif|webp|avif);base64,[a-z0-9+/=\s]*$/i;
const RASTER_TAGS = new Set(['image', 'feimage']);
const ANIMATION_TAGS = new Set(['animate', 'set', 'animatemotion', 'animatetransform', 'animatecolor']);
const RISKY_CSS = /@import|image-set\s*\(|\bimage\s*\(|\bsrc\s*\(|expression\s*\(|-moz-binding|behaviou?r\s*:|\\/i;
// one plain class per part so matching stays linear on hostile input; quotes and spaces are trimmed after
const CSS_URL = /url\s*\(([^()]*)\)/gi;
const urlTarget = (inner: string): string => inner.trim().replace(/^(['"])([^]*)\1$/, '$2').trim();

purify.addHook('uponSanitizeAttribute', (node, data) => {
  const tag = node.nodeName.toLowerCase();
  const name = data.attrName.toLowerCase();
  const value = data.attrValue.trim();
  if (name === 'href' || name === 'xlink:href') {
    data.keepAttr = value.startsWith('#') || (RASTER_TAGS.has(tag) && DATA_IMAGE.test(value));
    return;
  }
  if (name === 'xml:base' || (ANIMATION_TAGS.has(tag) && name === 'attributename' && /href|^on/i.test(value))) {
    data.keepAttr = false;
    return;
  }
  if (value.includes('\\')) data.keepAttr = false; // CSS escapes can spell url( or expression(
  else if (name === 'style' && RISKY_CSS.test(value)) data.keepAttr = false;
  else if (/url\s*\(/i.test(value) && !onlyLocalUrls(value)) data.keepAttr = false;
});

/** True when every url(…) in a CSS or attribute value points into this document (`#id`). */
function onlyLocalUrls(value: string): boolean {
  for (const match of value.matchAll(CSS_URL)) if (!urlTarget(match[1]!).startsWith('#')) return false;
  // a url( that the pattern could not read (unbalanced quotes, nested parens) is not trusted either
  return (value.match(/url\s*\(/gi) ?? []).length === [...value.matchAll(CSS_URL)].length;
}

/** Cleans the text of a <style> element: no @import, no external url(); anything obfuscated drops the sheet. */
function sanitizeCss(css: string): string {
  const withoutImports = css.replace(/@import\s+[^;]*;?/gi, '');
  const localOnly = withoutImports.replace(CSS_URL, (whole, inner: string) => (urlTarget(inner).startsWith('#') ? whole : 'none'));
  if (RISKY_CSS.test(localOnly) || /url\s*\(/i.test(localOnly.replace(CSS_URL, ''))) return '';
  return localOnly;
}

/** Nesting depth, element count and the most attributes on one element, from a linear scan of the tags. */
function measureMarkup(text: string): { depth: number; elements: number; attributes: number } {
  const skipPast = (token: string, from: number): number => {
    const at = text.indexOf(token, from);
    return at < 0 ? text.length : at + token.length;
  };
  let depth = 0;
  let maxDepth = 0;
  let elements = 0;
  let maxAttributes = 0;
  for (let i = text.indexOf('<'); i >= 0 && i < text.length; i = text.indexOf('<', i)) {
    if (text.startsWith('<!--', i)) i = skipPast('-->', i + 4);
    else if (text.startsWith('<![CDATA[', i)) i = skipPast(']]>', i + 9);
    else if (text[i + 1] === '?') i = skipPast('?>', i + 2);
    else if (text[i + 1] === '!') i += 2; // doctype and its declarations hold no elements
    else {
      let attributes = 0;
      let j = i + 1;
      while (j < text.length && text[j] !== '>') {
        const c = text[j];
        if (c === '"' || c === "'") j = skipPast(c, j + 1);
        else {
          if (c === '=') attributes++;
          j++;
        }
      }
      if (text[i + 1] === '/') depth--;
      else {
        elements++;
        maxAttributes = Math.max(maxAttributes, attributes);
        if (text[j - 1] !== '/') maxDepth = Math.max(maxDepth, ++depth);
      }
      i = j + 1;
    }
  }
  return { depth: maxDepth, elements, attributes: maxAttributes };
}

function checkComplexity(text: string): void {
  const { depth, elements, attributes } = measureMarkup(text);
  const over =
    depth > SVG_LIMITS.maxDepth
      ? `nested ${depth} elements deep (limit ${SVG_LIMITS.maxDepth})`
      : elements > SVG_LIMITS.maxElements
        ? `${elements} elements (limit ${SVG_LIMITS.maxElements})`
        : attributes > SVG_LIMITS.maxAttributesPerElement
          ? `${attributes} attributes on one element (limit ${SVG_LIMITS.maxAttributesPerElement})`
          : undefined;
  if (over) throw new MediaError('too_large', `SVG is too complex: ${over}`);
}

function parseSvg(text: string): Document {
  const doc = new window.DOMParser().parseFromString(text, 'image/svg+xml');
  const root = doc.documentElement;
  if (!root || root.namespaceURI === PARSE_ERROR_NS || doc.getElementsByTagNameNS(PARSE_ERROR_NS, '*').length > 0) {
    const detail = root?.textContent?.trim().slice(0, 200) ?? 'no document';
    throw new MediaError('corrupt', `SVG is not well-formed XML: ${detail}`);
  }
  return doc;
}

/**
 * Returns a sanitised copy of `input` (UTF-8 SVG). Throws MediaError 'too_large' over `maxBytes` or
 * SVG_LIMITS, 'corrupt' when it is not well-formed XML or its root element is not an SVG `<svg>`.
 * Synchronous and CPU-bound (≈ 1 s for 1 MB of paths): run it off the request path for big files.
 */
export function sanitizeSvg(input: Buffer, maxBytes = 2 * 1024 * 1024): Buffer {
  if (input.length > maxBytes) throw new MediaError('too_large', `SVG is ${input.length} bytes; the limit is ${maxBytes}`);
  if (input.includes(0)) throw new MediaError('corrupt', 'SVG contains NUL bytes (binary or UTF-16)');
  let text = new TextDecoder('utf-8').decode(input); // strips a UTF-8 BOM
  const rootAt = findSvgRoot(text);
  if (rootAt === undefined) throw new MediaError('corrupt', 'no <svg> root element');
  checkComplexity(text);

  let doc = parseSvg(text);
  let root = doc.documentElement;
  if (root.localName === 'svg' && root.namespaceURI === null && !root.hasAttribute('xmlns')) {
    // a bare <svg> without its namespace: browsers would show it as XML text, librsvg guesses; make it SVG
    text = `${text.slice(0, rootAt)}<svg xmlns="${SVG_NS}"${text.slice(rootAt + 4)}`;
    doc = parseSvg(text);
    root = doc.documentElement;
  }
  if (root.localName !== 'svg' || root.namespaceURI !== SVG_NS) throw new MediaError('corrupt', 'the root element is not <svg>');

  for (const style of Array.from(doc.getElementsByTagNameNS(SVG_NS, 'style'))) {
    style.textContent = sanitizeCss(style.textContent ?? ''); // also turns CDATA sections into plain text
  }
  try {
    purify.sanitize(root, PURIFY_CONFIG);
  } catch (err) {
    throw new MediaError('corrupt', `SVG could not be sanitised: ${(err as Error).message}`, { cause: err });
  }
  for (const use of Array.from(doc.getElementsByTagNameNS(SVG_NS, 'use'))) {
    const target = use.getAttribute('href') ?? use.getAttributeNS('http://www.w3.org/1999/xlink', 'href');
    if (!target?.startsWith('#')) use.remove();
  }
  if (doc.documentElement !== root) throw new MediaError('corrupt', 'the <svg> root did not survive sanitising');
  boundFilters(doc);
  const textChars = Array.from(doc.getElementsByTagNameNS(SVG_NS, 'text')).reduce((n, el) => n + (el.textContent?.length ?? 0), 0);
  if (textChars > SVG_CONTENT_LIMITS.maxTextChars) {
    throw new MediaError('too_large', `SVG is too complex: ${textChars} characters of text (limit ${SVG_CONTENT_LIMITS.maxTextChars})`);
  }
  return Buffer.from(new window.XMLSerializer().serializeToString(root), 'utf8');
}

/** Refuses documents with too many filter primitives and clamps the costly parameters of the others. */
function boundFilters(doc: Document): void {
  // a static list: jsdom's live collections re-walk the tree on access (quadratic on 45,000 paths)
  const primitives = Array.from(doc.documentElement.querySelectorAll('*')).filter((el) => el.namespaceURI === SVG_NS && el.localName.startsWith('fe'));
  if (primitives.length > SVG_FILTER_LIMITS.maxPrimitives) {
    throw new MediaError('too_large', `SVG is too complex: ${primitives.length} filter primitives (limit ${SVG_FILTER_LIMITS.maxPrimitives})`);
  }
  const clamp = (el: Element, attr: string, max: number): void => {
    const raw = el.getAttribute(attr);
    if (raw === null) return;
    const parts = raw.trim().split(/[\s,]+/).map(Number);
    if (parts.some((n) => !Number.isFinite(n))) el.removeAttribute(attr);
    else if (parts.some((n) => Math.abs(n) > max)) el.setAttribute(attr, parts.map((n) => Math.max(-max, Math.min(max, n))).join(' '));
  };
  for (const el of primitives) {
    if (el.localName === 'feTurbulence') clamp(el, 'numOctaves', SVG_FILTER_LIMITS.maxTurbulenceOctaves);
    else if (el.localName === 'feMorphology') clamp(el, 'radius', SVG_FILTER_LIMITS.maxMorphologyRadius);
    else if (el.localName === 'feConvolveMatrix') {
      const order = (el.getAttribute('order') ?? '3').trim().split(/[\s,]+/).map(Number);
      if (order.some((n) => !Number.isFinite(n) || n > SVG_FILTER_LIMITS.maxConvolveOrder)) el.remove();
    }
  }
}

/**
 * Refuses an SVG whose embedded rasters (the data:image hrefs sanitizeSvg keeps) hold more than
 * SVG_CONTENT_LIMITS.maxEmbeddedPixels in all, reading only their headers. Throws MediaError 'too_many_pixels'.
 */
export async function checkEmbeddedRasters(svg: Buffer, readSize: (bytes: Buffer) => Promise<{ width?: number; height?: number }>): Promise<void> {
  let pixels = 0;
  for (const match of svg.toString('utf8').matchAll(/data:image\/[a-z]+;base64,([a-z0-9+/=\s]+)/gi)) {
    const size = await readSize(Buffer.from(match[1]!, 'base64')).catch(() => ({ width: 0, height: 0 }));
    pixels += (size.width ?? 0) * (size.height ?? 0);
    if (pixels > SVG_CONTENT_LIMITS.maxEmbeddedPixels) {
      throw new MediaError('too_many_pixels', `the SVG embeds rasters of more than ${SVG_CONTENT_LIMITS.maxEmbeddedPixels} pixels`);
    }
  }
}
