// The colour theme: the system's (default), or light or dark chosen by the person, kept in this browser.
// Applied as data-theme on <html> (the CSS reads it); "system" removes it and the media query decides.
export type Theme = 'system' | 'light' | 'dark';

const KEY = 'picora.theme';

export function storedTheme(): Theme {
  try {
    const v = localStorage.getItem(KEY);
    return v === 'light' || v === 'dark' ? v : 'system';
  } catch {
    return 'system';
  }
}

export function applyTheme(theme: Theme): void {
  const root = document.documentElement;
  if (theme === 'system') root.removeAttribute('data-theme');
  else root.setAttribute('data-theme', theme);
}

export function setTheme(theme: Theme): void {
  try {
    if (theme === 'system') localStorage.removeItem(KEY);
    else localStorage.setItem(KEY, theme);
  } catch {
    /* storage disabled: the choice lasts for this page */
  }
  applyTheme(theme);
}
