'use client';
import { useEffect, useState } from 'react';
import { THEME_KEY, type ThemeChoice, applyTheme, storedChoice } from '@/lib/theme';

/** Light, dark or the system's: kept in this browser; `system` follows the OS as it changes. */
export function ThemeToggle() {
  const [choice, setChoice] = useState<ThemeChoice>('system');
  useEffect(() => setChoice(storedChoice()), []);
  useEffect(() => {
    if (choice !== 'system') return;
    const media = window.matchMedia('(prefers-color-scheme: dark)');
    const follow = () => applyTheme('system');
    media.addEventListener('change', follow);
    return () => media.removeEventListener('change', follow);
  }, [choice]);
  const choose = (c: ThemeChoice) => {
    if (c === 'system') window.localStorage.removeItem(THEME_KEY);
    else window.localStorage.setItem(THEME_KEY, c);
    setChoice(c);
    applyTheme(c);
  };
  return (
    <label className="field theme-toggle">Theme
      <select value={choice} onChange={(e) => choose(e.target.value as ThemeChoice)}>
        <option value="system">System</option><option value="light">Light</option><option value="dark">Dark</option>
      </select>
    </label>
  );
}
