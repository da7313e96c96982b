// The uploader configs of GET /v1/api-keys/{id}/tool-configs as files to download. The server holds only a
// hash of each key, so its configs carry KEY_PLACEHOLDER; right after creating a key, while the plaintext is
// still on screen, withKey() fills the real key in here in the browser.

export const KEY_PLACEHOLDER = 'sk_live_YOUR_KEY';

export type ToolConfigs = {
  picgo: Record<string, unknown>;
  moraya: Record<string, unknown>;
  typora: { command: string; script: string };
  sharex: Record<string, unknown> & { RequestURL: string };
  flameshot: string;
  curl: string;
};

export type ToolFile = { tool: string; filename: string; type: string; text: string };

/** The configs with `key` in place of the placeholder (every config holds it verbatim, in JSON or sh quotes). */
export function withKey(configs: ToolConfigs, key: string): ToolConfigs {
  return JSON.parse(JSON.stringify(configs).replaceAll(KEY_PLACEHOLDER, key)) as ToolConfigs;
}

/** The files offered for download, one per tool. */
export function toolFiles(c: ToolConfigs): ToolFile[] {
  const host = new URL(c.sharex.RequestURL).host.replace(/[^A-Za-z0-9.-]/g, '_'); // no ':' in a file name
  const json = (v: unknown) => `${JSON.stringify(v, null, 2)}\n`;
  return [
    { tool: 'PicGo', filename: 'picgo-config.json', type: 'application/json', text: json(c.picgo) },
    { tool: 'ShareX', filename: `${host}.sxcu`, type: 'application/json', text: json(c.sharex) },
    { tool: 'Typora', filename: 'picora-typora.sh', type: 'text/x-shellscript', text: c.typora.script },
    { tool: 'Flameshot', filename: 'picora-flameshot.sh', type: 'text/x-shellscript', text: c.flameshot },
    { tool: 'Moraya', filename: 'moraya-picora.json', type: 'application/json', text: json(c.moraya) },
  ];
}

/** Saves `file` through a short-lived object URL (nothing of it stays in the page). */
export function saveFile(file: ToolFile): void {
  const url = URL.createObjectURL(new Blob([file.text], { type: file.type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = file.filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
