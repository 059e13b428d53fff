// The app's colour theme: a choice kept per browser (localStorage), `system` following prefers-color-scheme.
export type ThemeChoice = 'system' | 'light' | 'dark';
export const THEME_KEY = 'sg-theme';
/** Fired on the document when the theme changes (charts redraw in its colours). */
export const THEME_EVENT = 'sg-theme';

/**
 * Runs in <head> before the first paint, so a dark page never flashes light: sets
 * <html data-theme> from the stored choice or the system's preference.
 */
export const THEME_SCRIPT = `(function(){try{var c=localStorage.getItem('${THEME_KEY}');var d=c==='dark'||(c!=='light'&&matchMedia('(prefers-color-scheme: dark)').matches);document.documentElement.dataset.theme=d?'dark':'light'}catch(e){}})()`;

export function effectiveTheme(choice: ThemeChoice): 'light' | 'dark' {
  if (choice !== 'system') return choice;
  return window.matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

export function applyTheme(choice: ThemeChoice) {
  document.documentElement.dataset.theme = effectiveTheme(choice);
  document.dispatchEvent(new Event(THEME_EVENT));
}

export function storedChoice(): ThemeChoice {
  const c = window.localStorage.getItem(THEME_KEY);
  return c === 'light' || c === 'dark' ? c : 'system';
}
