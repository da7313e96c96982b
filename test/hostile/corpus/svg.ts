// Hostile SVGs, generated: scripts and handlers, entities (XXE, billion laughs), external references, deep
// nesting, huge attribute and element counts, expensive filters on huge canvases, <use> fan-out, embedded
// raster bombs. Each is uploaded (sanitised on the way in) and, when accepted, rasterised at the largest
// size a URL may ask for (?w=4096&fmt=png), the worst a visitor can request.
import { makePngBomb } from '../../fixtures/bombs.js';
import { fileCase, type FileInput } from './file-case.js';
import type { Group, HostileCase } from './case.js';

const NS = 'xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"';
const svg = (body: string, attrs = 'width="200" height="200"') => `<svg ${NS} ${attrs}>${body}</svg>`;
const WORST = ['w=4096&fmt=png'];

/** A ~300-byte SVG like the one of the render-hang report: turbulence + a wide blur over a 7000×7000 canvas. */
export const TURBULENCE_NAME = 'svg: feTurbulence + feGaussianBlur on 7000×7000, rendered at w=4096 png (render hang report)';
export const TURBULENCE_7000 =
  '<svg xmlns="http://www.w3.org/2000/svg" width="7000" height="7000" viewBox="0 0 7000 7000">' +
  '<filter id="f" x="0" y="0" width="100%" height="100%"><feTurbulence type="fractalNoise" baseFrequency="0.9" numOctaves="10"/>' +
  '<feGaussianBlur stdDeviation="250"/></filter><rect width="7000" height="7000" filter="url(#f)"/></svg>';

/** About 1.1 MB of 45,000 small paths: under the 2 MB SVG limit and the 50,000-element limit. */
export function manyPaths(count = 45_000): string {
  const parts: string[] = [];
  for (let i = 0; i < count; i++) parts.push(`<path d="M${i % 300} ${(i / 300) | 0}h3v3h-3z"/>`);
  return svg(parts.join(''), 'width="300" height="150"');
}

function nested(depth: number, tag = 'g'): string {
  return `${`<${tag}>`.repeat(depth)}<rect width="1" height="1"/>${`</${tag}>`.repeat(depth)}`;
}

export function svgInputs(): FileInput[] {
  const s = (name: string, text: string, extra: Partial<FileInput> = {}): FileInput => ({ name: `svg: ${name}`, data: Buffer.from(text, 'utf8'), filename: 'hostile.svg', renders: WORST, ...extra });
  const attrs = (n: number) => Array.from({ length: n }, (_, i) => `data-a${i}="${i}"`).join(' ');
  const laughs = `<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "ha"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;"><!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;"><!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;"><!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;"><!ENTITY h "&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;">]>${svg('<text y="20">&h;</text>')}`;
  const useFanout = (() => {
    // 10 levels, each <g> using the previous one 10 times: 10^10 rectangles if a renderer expands it
    let defs = '<rect id="l0" width="1" height="1"/>';
    for (let l = 1; l <= 10; l++) defs += `<g id="l${l}">${Array.from({ length: 10 }, (_, i) => `<use href="#l${l - 1}" x="${i}"/>`).join('')}</g>`;
    return svg(`<defs>${defs}</defs><use href="#l10"/>`, 'width="1000" height="1000"');
  })();
  const pngBomb = makePngBomb(50000, 50000, 64).toString('base64');
  const bigRaster = makePngBomb(20000, 20000).toString('base64');
  return [
    s('<script> plain and in CDATA', svg('<script>alert(1)</script><script><![CDATA[fetch("/v1/user/me")]]></script><rect width="10" height="10"/>')),
    s('on* handlers (onload, ONCLICK, onmouseover)', svg('<rect width="10" height="10" onload="alert(1)" ONCLICK="alert(2)" onmouseover="alert(3)"/>', 'width="20" height="20" onload="alert(0)"')),
    s('javascript: and data:text/html links', svg('<a href="javascript:alert(1)"><rect width="9" height="9"/></a><a xlink:href="JaVaScRiPt:alert(2)"><circle r="4"/></a><a href="data:text/html,&lt;script&gt;alert(3)&lt;/script&gt;"><rect width="2" height="2"/></a>')),
    s('<foreignObject> with an iframe', svg('<foreignObject width="100" height="100"><iframe xmlns="http://www.w3.org/1999/xhtml" src="https://evil.example/"/></foreignObject>')),
    s('<set>/<animate> retargeting href and onbegin', svg('<a href="#x"><set attributeName="href" to="javascript:alert(1)"/><animate attributeName="onbegin" values="alert(1)"/><rect width="5" height="5"/></a>')),
    s('XXE: external entity to /etc/passwd', `<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>${svg('<text y="20">&xxe;</text>')}`),
    s('XXE: parameter entity to a remote DTD', `<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY % remote SYSTEM "http://169.254.169.254/latest/meta-data/"> %remote;]>${svg('<rect width="1" height="1"/>')}`),
    s('billion laughs (10^7 expansions)', laughs),
    s('external <image> href (SSRF)', svg('<image href="http://169.254.169.254/latest/meta-data/" width="100" height="100"/><image xlink:href="file:///etc/passwd" width="10" height="10"/>')),
    s('external <use> and feImage', svg('<use href="https://evil.example/sprite.svg#a"/><filter id="f"><feImage href="https://evil.example/x.png"/></filter><rect width="9" height="9" filter="url(#f)"/>')),
    s('CSS @import and external url() in <style> and style=', svg('<style>@import url(https://evil.example/x.css); rect { fill: url(https://evil.example/p.svg#g) }</style><rect width="9" height="9" style="fill:url(//evil.example/y)"/>')),
    s('CSS escapes spelling url(', svg('<rect width="9" height="9" style="fill:\\75 rl(https://evil.example/)"/>')),
    s('nesting 300 deep (over the 256 limit)', svg(nested(300)), { refuse: ['FILE_TOO_LARGE', 'VALIDATION_ERROR'] }),
    s('nesting 250 deep (inside the limit)', svg(nested(250))),
    s('nesting 100,000 deep', svg(nested(100_000)), { refuse: ['FILE_TOO_LARGE', 'VALIDATION_ERROR'] }),
    s('300 attributes on one element', svg(`<rect width="1" height="1" ${attrs(300)}/>`), { refuse: ['FILE_TOO_LARGE', 'VALIDATION_ERROR'] }),
    s('250 attributes on each of 2,000 elements', svg(Array.from({ length: 2000 }, () => `<rect width="1" height="1" ${attrs(250)}/>`).join(''))),
    s('60,000 empty elements (over the 50,000 limit)', svg('<g/>'.repeat(60_000)), { refuse: ['FILE_TOO_LARGE', 'VALIDATION_ERROR'] }),
    s('45,000 paths in 1.1 MB (event-loop blocker on upload)', manyPaths(), { heavy: true }),
    { name: TURBULENCE_NAME, data: Buffer.from(TURBULENCE_7000), filename: 'turbulence.svg', renders: WORST, heavy: true },
    s('feGaussianBlur stdDeviation 1e6 on 4096×4096', svg('<filter id="b"><feGaussianBlur stdDeviation="1000000"/></filter><rect width="4096" height="4096" filter="url(#b)"/>', 'width="4096" height="4096"'), { heavy: true }),
    s('chain of 50 feConvolveMatrix 9×9 on 4000×4000', svg(`<filter id="c">${Array.from({ length: 50 }, () => `<feConvolveMatrix order="9" kernelMatrix="${'1 '.repeat(81).trim()}"/>`).join('')}</filter><rect width="4000" height="4000" filter="url(#c)"/>`, 'width="4000" height="4000"'), { heavy: true }),
    s('width/height 10^9 with a tiny viewBox', svg('<rect width="1" height="1"/>', 'width="1000000000" height="1000000000" viewBox="0 0 1 1"'), { refuse: ['VALIDATION_ERROR', 'FILE_TOO_LARGE'] }),
    s('width/height 1e308, negative and NaN', svg('<rect width="1" height="1"/>', 'width="1e308" height="-5" viewBox="0 0 NaN Infinity"')),
    s('<use> fan-out 10^10', useFanout, { heavy: true }),
    s('<use> referencing itself', svg('<g id="a"><use href="#a"/></g>')),
    s('<pattern> recursion', svg('<pattern id="p" width="1" height="1"><rect width="1" height="1" fill="url(#p)"/></pattern><rect width="200" height="200" fill="url(#p)"/>')),
    s('embedded data:image/png 50000×50000 bomb in <image>', svg(`<image width="100" height="100" href="data:image/png;base64,${pngBomb}"/>`)),
    s('embedded complete 20000×20000 PNG in <image> (400 Mpx decode)', svg(`<image width="4096" height="4096" href="data:image/png;base64,${bigRaster}"/>`, 'width="4096" height="4096"'), { heavy: true }),
    s('huge <text> (1.5 MB of one string)', svg(`<text y="10">${'W'.repeat(1_500_000)}</text>`), { heavy: true }),
    s('2 MB + 1 byte (over the SVG limit)', svg(`<!--${'x'.repeat(2 * 1024 * 1024)}-->`), { refuse: ['FILE_TOO_LARGE'] }),
    s('UTF-16 encoded', '', { data: Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(svg('<rect width="9" height="9"/>'), 'utf16le')]) }),
    s('UTF-8 BOM, XML declaration, comment and doctype', `\ufeff<?xml version="1.0" encoding="UTF-8"?><!-- c --><!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">${svg('<rect width="9" height="9"/>')}`),
    s('invalid UTF-8 bytes in an attribute', '', { data: Buffer.concat([Buffer.from(`<svg ${NS} width="9" height="9"><rect fill="`), Buffer.from([0xc3, 0x28, 0xa0, 0xa1, 0xf0, 0x28, 0x8c, 0xbc]), Buffer.from('" width="9" height="9"/></svg>')]) }),
    s('not well-formed (unclosed tags)', `<svg ${NS}><g><rect width="9"></svg>`, { refuse: ['VALIDATION_ERROR', 'INVALID_FILE_TYPE'] }),
    s('HTML page with an inline <svg>', `<!doctype html><html><body><svg ${NS}><script>alert(1)</script></svg></body></html>`, { refuse: ['INVALID_FILE_TYPE', 'VALIDATION_ERROR'] }),
    s('<svg> root in the XHTML namespace', '<svg xmlns="http://www.w3.org/1999/xhtml"><script>alert(1)</script></svg>', { refuse: ['INVALID_FILE_TYPE', 'VALIDATION_ERROR'] }),
    s('processing instruction with a stylesheet', `<?xml-stylesheet type="text/xsl" href="https://evil.example/x.xsl"?>${svg('<rect width="9" height="9"/>')}`),
    s('xml:base to an external origin', svg('<a href="#x"><rect width="9" height="9"/></a>', 'width="9" height="9" xml:base="https://evil.example/"')),
  ];
}

/** The light SVG group, and the heavy SVGs (run one at a time, the huge <text> last: it holds a worker longest). */
export function svgGroups(): { groups: Group[]; heavy: HostileCase[] } {
  const inputs = svgInputs();
  const heavy = inputs.filter((i) => i.heavy).sort((a, b) => Number(a.name.includes('huge <text>')) - Number(b.name.includes('huge <text>')));
  return {
    groups: [{ name: 'svg: scripts, entities, references, structure', cases: inputs.filter((i) => !i.heavy).map((i) => fileCase('svg', i)) }],
    heavy: heavy.map((i) => fileCase('svg', i)),
  };
}
