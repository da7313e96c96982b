// Download buttons for a key's uploader configs (PicGo, ShareX, Typora, Flameshot, Moraya). With `fullKey`
// (right after creation) the files hold the real key; otherwise its placeholder, which the user replaces.
import { useRef, useState } from 'react';
import { api } from '../../api/client';
import { CopyButton } from '../../components/ui';
import { errorText } from '../../lib/error-text';
import { useToast } from '../../lib/toast';
import { KEY_PLACEHOLDER, saveFile, toolFiles, withKey, type ToolConfigs } from './tool-configs';

type Props = { keyId: string; keyName: string; keyPrefix: string; fullKey?: string };

const TOOLS = ['PicGo', 'ShareX', 'Typora', 'Flameshot', 'Moraya'];

export function ToolDownloads({ keyId, keyName, keyPrefix, fullKey }: Props) {
  const toast = useToast();
  const cache = useRef<ToolConfigs | null>(null);
  const [typora, setTypora] = useState('');
  const [busy, setBusy] = useState(false);

  const configs = async (): Promise<ToolConfigs | null> => {
    if (!cache.current) {
      const c = await api<ToolConfigs | null>(`/v1/api-keys/${keyId}/tool-configs`);
      if (!c) return null; // revoked meanwhile
      cache.current = fullKey ? withKey(c, fullKey) : c;
    }
    return cache.current;
  };

  const download = async (tool: string) => {
    setBusy(true);
    try {
      const c = await configs();
      const file = c && toolFiles(c).find((f) => f.tool === tool);
      if (!c || !file) return toast.show('This key no longer exists', 'error');
      saveFile(file);
      if (tool === 'Typora') setTypora(c.typora.command);
    } catch (err) {
      toast.show(errorText(err), 'error');
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="stack" data-testid="tool-downloads">
      <div className="row gap-s" role="group" aria-label={`Uploader configs for ${keyName}`}>
        <span className="muted small">Download:</span>
        {TOOLS.map((tool) => (
          <button key={tool} type="button" className="btn btn-small" disabled={busy} onClick={() => void download(tool)} aria-label={`Download the ${tool} config for ${keyName}`}>
            {tool}
          </button>
        ))}
      </div>
      {!fullKey && (
        <span className="muted small">
          Replace <code>{KEY_PLACEHOLDER}</code> in the file with this key in full (it starts with <code>{keyPrefix}</code>).
        </span>
      )}
      {typora && (
        <div className="copy-row">
          <span className="muted small">Or paste into Typora’s Custom Command:</span>
          <CopyButton text={typora} label="Copy Typora command" />
        </div>
      )}
    </div>
  );
}
