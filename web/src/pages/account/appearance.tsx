// The colour theme: the system's, light or dark (kept in this browser).
import { useState } from 'react';
import { setTheme, storedTheme, type Theme } from '../../lib/theme';

const CHOICES: Array<[Theme, string]> = [
  ['system', 'System'],
  ['light', 'Light'],
  ['dark', 'Dark'],
];

export function Appearance() {
  const [theme, choose] = useState<Theme>(storedTheme);
  return (
    <section className="card" aria-labelledby="appearance-h">
      <h2 id="appearance-h">Appearance</h2>
      <fieldset className="segmented">
        <legend>Theme</legend>
        {CHOICES.map(([value, label]) => (
          <label key={value}>
            <input
              type="radio"
              name="theme"
              checked={theme === value}
              onChange={() => {
                setTheme(value);
                choose(value);
              }}
            />
            <span>{label}</span>
          </label>
        ))}
      </fieldset>
      <p className="muted small">System follows your device’s light or dark setting.</p>
    </section>
  );
}
