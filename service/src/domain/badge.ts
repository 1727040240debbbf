/**
 * The read-only badge: a count as an SVG in the familiar two-part shape, or as the JSON that
 * shields.io's endpoint badge reads. Pure functions; the route in `routes/badge.ts` serves them.
 */

export type Theme = 'auto' | 'light' | 'dark';

/** The longest label, in characters. */
export const MAX_LABEL_LENGTH = 40;

/**
 * `12345` → `12.3k`: at most one decimal, never more than was counted (rounded down), and the
 * next unit once a value reaches a thousand (`999999` → `999.9k`, `1000000` → `1M`).
 */
export function abbreviate(count: number): string {
  if (count < 1000) return String(count);
  const units = ['k', 'M', 'B', 'T'];
  let value = count;
  let unit = '';
  for (const next of units) {
    if (value < 1000) break;
    value /= 1000;
    unit = next;
  }
  const shown = Math.floor(value * 10) / 10;
  return `${Number.isInteger(shown) ? shown.toFixed(0) : shown.toFixed(1)}${unit}`;
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};
const escapeXml = (text: string) => text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);

// Widths of Verdana 11px, roughly: enough to lay out a badge without a font at hand.
const charWidth = (c: string) =>
  /[ilI.,:;!|']/.test(c) ? 3.5 : /[mwMW@%]/.test(c) ? 10 : /[A-Z0-9]/.test(c) ? 7.5 : 6.5;
const textWidth = (text: string) => [...text].reduce((w, c) => w + charWidth(c), 0);

const COLOURS = {
  light: { label: '#555', value: '#007ec6', text: '#fff' },
  dark: { label: '#30363d', value: '#1f6feb', text: '#f0f6fc' },
} as const;

/** The badge as SVG: `label` on the left, `value` on the right, in `theme`. */
export function badgeSvg(label: string, value: string, theme: Theme): string {
  const left = Math.round(textWidth(label) + 12);
  const right = Math.round(textWidth(value) + 12);
  const width = left + right;
  const colours = theme === 'dark' ? COLOURS.dark : COLOURS.light;
  const title = escapeXml(`${label}: ${value}`);
  // `auto` follows the reader's colour scheme, inside the SVG itself.
  const style =
    theme === 'auto'
      ? `<style>@media (prefers-color-scheme: dark){.l{fill:${COLOURS.dark.label}}.v{fill:${COLOURS.dark.value}}.t{fill:${COLOURS.dark.text}}}</style>`
      : '';
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="20" role="img" aria-label="${title}">`,
    `<title>${title}</title>`,
    style,
    `<rect class="l" width="${left}" height="20" fill="${colours.label}"/>`,
    `<rect class="v" x="${left}" width="${right}" height="20" fill="${colours.value}"/>`,
    `<g class="t" fill="${colours.text}" font-family="Verdana,DejaVu Sans,sans-serif" font-size="11" text-anchor="middle">`,
    `<text x="${left / 2}" y="14">${escapeXml(label)}</text>`,
    `<text x="${left + right / 2}" y="14">${escapeXml(value)}</text>`,
    '</g></svg>',
  ].join('');
}

/** shields.io's endpoint-badge JSON (https://shields.io/badges/endpoint-badge). */
export function shieldJson(label: string, value: string) {
  return { schemaVersion: 1, label, message: value, color: 'blue' } as const;
}
