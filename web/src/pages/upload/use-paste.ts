// Ctrl/Cmd+V anywhere outside a text field: pasted files are uploaded, a pasted http(s) address is fetched
// by the server.
import { useEffect, useRef } from 'react';

export const isWebAddress = (text: string): boolean => {
  try {
    const u = new URL(text.trim());
    return (u.protocol === 'http:' || u.protocol === 'https:') && !/\s/.test(text.trim());
  } catch {
    return false;
  }
};

const editable = (t: EventTarget | null): boolean =>
  t instanceof HTMLElement && (t.isContentEditable || t instanceof HTMLInputElement || t instanceof HTMLTextAreaElement || t instanceof HTMLSelectElement);

export function usePaste(onFiles: (files: File[]) => void, onUrl: (url: string) => void): void {
  const handlers = useRef({ onFiles, onUrl });
  handlers.current = { onFiles, onUrl };
  useEffect(() => {
    const paste = (e: ClipboardEvent) => {
      if (editable(e.target) || !e.clipboardData) return;
      const files = Array.from(e.clipboardData.files);
      const text = e.clipboardData.getData('text/plain');
      if (files.length) handlers.current.onFiles(files);
      else if (isWebAddress(text)) handlers.current.onUrl(text.trim());
      else return;
      e.preventDefault();
    };
    window.addEventListener('paste', paste);
    return () => window.removeEventListener('paste', paste);
  }, []);
}
