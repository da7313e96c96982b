// Ready-to-import uploader configs for one API key (GET /v1/api-keys/{id}/tool-configs): PicGo's web-uploader,
// Moraya, a Typora custom command, a ShareX .sxcu, a Flameshot script and a curl line, all aimed at this
// instance's POST /v1/images and reading the image URL from `data.url`. Only the key's SHA-256 is stored, so
// every config carries KEY_PLACEHOLDER; the dashboard swaps in the real key while it still has it.
//
// The shell scripts read `data.url` with sed, not jq: sed is on every stock Linux and macOS, jq is not, and
// `node -e`/python would be a dependency. The answer is Fastify's compact JSON, whose `data` object holds no
// nested object before `url`, and a `"url":"` inside a user string is always escaped (`\"url\":\"`).

export const KEY_PLACEHOLDER = 'sk_live_YOUR_KEY';

export type PicgoConfig = {
  picBed: {
    uploader: 'web-uploader';
    current: 'web-uploader';
    'web-uploader': { url: string; paramName: 'file'; jsonPath: 'data.url'; customHeader: string; customBody: string };
  };
  picgoPlugins: { 'picgo-plugin-web-uploader': true };
};

export type MorayaConfig = {
  name: 'Picora';
  url: string;
  method: 'POST';
  headers: { Authorization: string };
  bodyType: 'multipart';
  fileField: 'file';
  responseUrlPath: 'data.url';
};

export type ShareXConfig = {
  Version: '14.0.0';
  Name: string;
  DestinationType: 'ImageUploader, FileUploader';
  RequestMethod: 'POST';
  RequestURL: string;
  Headers: { Authorization: string };
  Body: 'MultipartFormData';
  FileFormName: 'file';
  URL: '{json:data.url}';
  ErrorMessage: '{json:error}';
};

export type ToolConfigs = {
  picgo: PicgoConfig;
  moraya: MorayaConfig;
  /** `command` goes into Typora's Custom Command field as is; `script` is the same saved as a file. */
  typora: { command: string; script: string };
  sharex: ShareXConfig;
  /** A script to bind to a hotkey: screenshot → upload → URL on the clipboard. */
  flameshot: string;
  /** One upload of ./image.png; prints the JSON answer. */
  curl: string;
};

/** Single-quotes a value for sh (a `'` inside becomes `'\''`). */
export const shellQuote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/** Double-quotes a value for sh. The snippets below use double quotes only, so the Typora one-liner can wrap them in '…'. */
const dq = (s: string): string => `"${s.replace(/[\\"$`]/g, (c) => `\\${c}`)}"`;

/** sed: the first `"url":"…"` inside the `"data":{…}` object of the answer. */
const EXTRACT_URL = String.raw`sed -n "s/.*\"data\":{[^}]*\"url\":\"\([^\"]*\)\".*/\1/p"`;

/** Uploads "$f"; on success "$u" holds the image URL. Quoting the path lets commas and semicolons through curl -F. */
function uploadLines(fileSpec: string): string[] {
  return [
    `r=$(curl -fsS -H "Authorization: Bearer $PICORA_KEY" -F ${fileSpec} "$PICORA_URL") || exit 1`,
    String.raw`u=$(printf "%s\n" "$r" | ${EXTRACT_URL})`,
    String.raw`[ -n "$u" ] || { printf "Picora: no image URL in the answer: %s\n" "$r" >&2; exit 1; }`,
  ];
}

function settings(uploadUrl: string): string[] {
  return [`PICORA_URL=${dq(uploadUrl)}`, `PICORA_KEY=${dq(KEY_PLACEHOLDER)}`];
}

/** Typora appends every image path; it reads `Upload Success:` and then one URL per line, in order. */
function typoraParts(uploadUrl: string): { before: string[]; loop: string[]; after: string[] } {
  return {
    before: [...settings(uploadUrl), 'urls=""'],
    // printf %b below turns each \n into a newline (a URL holds no backslash)
    loop: [...uploadLines(String.raw`"file=@\"$f\""`), String.raw`urls="$urls$u\n"`],
    after: [String.raw`printf "Upload Success:\n%b" "$urls"`],
  };
}

function typoraCommand(uploadUrl: string): string {
  const { before, loop, after } = typoraParts(uploadUrl);
  const body = [...before, `for f in "$@"; do ${loop.join('; ')}; done`, ...after].join('; ');
  return `sh -c ${shellQuote(body)} picora`; // Typora's paths become $1, $2, … of the sh -c body
}

function typoraScript(uploadUrl: string, keyPrefix: string): string {
  const { before, loop, after } = typoraParts(uploadUrl);
  return [
    '#!/bin/sh',
    '# Picora uploader for Typora: Preferences → Image → Image Uploader → Custom Command: sh /path/to/picora-typora.sh',
    '# Typora appends each image path; this prints "Upload Success:" and then one URL per line, in the same order.',
    `# Needs curl and sed. PICORA_KEY: the full API key that starts with ${keyPrefix}.`,
    ...before,
    'for f in "$@"; do',
    ...loop.map((l) => `  ${l}`),
    'done',
    ...after,
    '',
  ].join('\n');
}

function flameshotScript(uploadUrl: string, keyPrefix: string): string {
  const copy = [
    `if [ -n "\${WAYLAND_DISPLAY:-}" ] && command -v wl-copy >/dev/null 2>&1; then printf '%s' "$u" | wl-copy`,
    `elif command -v xclip >/dev/null 2>&1; then printf '%s' "$u" | xclip -selection clipboard`,
    `elif command -v xsel >/dev/null 2>&1; then printf '%s' "$u" | xsel --clipboard --input`,
    `elif command -v pbcopy >/dev/null 2>&1; then printf '%s' "$u" | pbcopy`,
    `fi`,
  ];
  return [
    '#!/bin/sh',
    '# Picora upload for Flameshot: bind this script to a hotkey. It takes a screenshot with `flameshot gui`,',
    '# uploads it, puts the image URL on the clipboard (wl-copy, xclip, xsel or pbcopy) and prints it.',
    `# Needs curl and sed. PICORA_KEY: the full API key that starts with ${keyPrefix}.`,
    ...settings(uploadUrl),
    `f=$(mktemp "\${TMPDIR:-/tmp}/picora-shot.XXXXXX") || exit 1`,
    `trap 'rm -f "$f"' EXIT`,
    `flameshot gui -r > "$f" && [ -s "$f" ] || exit 0 # cancelled: nothing to upload`,
    ...uploadLines(String.raw`"file=@\"$f\";filename=screenshot.png;type=image/png"`),
    ...copy,
    `echo "$u"`,
    '',
  ].join('\n');
}

/** The configs for a key on the instance whose API answers at `publicUrl` (no trailing slash). */
export function buildToolConfigs(publicUrl: string, keyPrefix: string): ToolConfigs {
  const url = `${publicUrl.replace(/\/+$/, '')}/v1/images`;
  const authorization = `Bearer ${KEY_PLACEHOLDER}`;
  const host = new URL(publicUrl).host;
  return {
    picgo: {
      picBed: {
        uploader: 'web-uploader',
        current: 'web-uploader',
        'web-uploader': { url, paramName: 'file', jsonPath: 'data.url', customHeader: JSON.stringify({ Authorization: authorization }), customBody: '{}' },
      },
      picgoPlugins: { 'picgo-plugin-web-uploader': true },
    },
    moraya: {
      name: 'Picora', url, method: 'POST', headers: { Authorization: authorization }, bodyType: 'multipart', fileField: 'file', responseUrlPath: 'data.url',
    },
    typora: { command: typoraCommand(url), script: typoraScript(url, keyPrefix) },
    sharex: {
      Version: '14.0.0',
      Name: `Picora (${host})`,
      DestinationType: 'ImageUploader, FileUploader',
      RequestMethod: 'POST',
      RequestURL: url,
      Headers: { Authorization: authorization },
      Body: 'MultipartFormData',
      FileFormName: 'file',
      URL: '{json:data.url}',
      ErrorMessage: '{json:error}',
    },
    flameshot: flameshotScript(url, keyPrefix),
    curl: `curl -fsS -H ${shellQuote(`Authorization: ${authorization}`)} -F 'file=@image.png' ${shellQuote(url)}`,
  };
}
