// Canvas colours from the VS Code theme's CSS variables (light, dark, high contrast); the
// fallbacks apply when the page runs outside VS Code (the browser tests).
import type { Theme } from './render';

export function readTheme(): Theme {
  const css = getComputedStyle(document.body);
  const v = (name: string, fallback: string) => css.getPropertyValue(name).trim() || fallback;
  return {
    bg: v('--vscode-editor-background', '#1e1e1e'),
    fg: v('--vscode-editor-foreground', '#d4d4d4'),
    muted: v('--vscode-descriptionForeground', '#9d9d9d'),
    grid: v('--vscode-editorIndentGuide-background1', v('--vscode-editorIndentGuide-background', '#404040')),
    bar: v('--vscode-charts-blue', '#3794ff'),
    selected: v('--vscode-focusBorder', '#ffcc00'),
    cut: v('--vscode-charts-red', '#f14c4c'),
    split: v('--vscode-charts-yellow', '#cca700'),
    orange: v('--vscode-charts-orange', '#d18616'),
    purple: v('--vscode-charts-purple', '#b180d7'),
    font: v('--vscode-font-family', 'sans-serif'),
  };
}

/** Calls `onChange` when VS Code switches theme (it swaps the body's classes and styles). */
export function onThemeChange(onChange: () => void): void {
  new MutationObserver(onChange).observe(document.body, { attributes: true, attributeFilter: ['class', 'style'] });
}
