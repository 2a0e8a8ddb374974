import { escapeHtml } from '../../common/html';

/** What the acknowledge page says; every string is plain text (escaped when rendered). */
export interface AckPage {
  status: number;
  heading: string;
  lines: string[];
  incident?: { id: number; title: string; service: string; severity: string; status: string; url: string };
  /** The one "Acknowledge" button: a form that POSTs to the same URL (a GET never acknowledges). */
  button?: boolean;
}

/**
 * A small page of its own rather than the console: the person arrives from an e-mail on a phone,
 * without a session, and needs one button. No script (the console's CSP allows none inline), no
 * outside resources; the form posts to the page's own URL, which `form-action 'self'` allows.
 */
export function renderAckPage(page: AckPage): string {
  const i = page.incident;
  return [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="robots" content="noindex">',
    `<title>${escapeHtml(page.heading)} · Headroom</title>`,
    '<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:2rem auto;padding:0 1rem;color:#222}',
    'button{font-size:1.1rem;padding:.7rem 1.6rem;background:#1565c0;color:#fff;border:0;border-radius:4px;cursor:pointer}',
    '.meta{color:#555}</style></head><body>',
    `<h1>${escapeHtml(page.heading)}</h1>`,
    ...(i
      ? [
          `<h2>#${i.id} ${escapeHtml(i.title)}</h2>`,
          `<p class="meta">${escapeHtml(i.severity.toUpperCase())} · ${escapeHtml(i.service)} · ${escapeHtml(i.status)}</p>`,
        ]
      : []),
    ...page.lines.map((l) => `<p>${escapeHtml(l)}</p>`),
    ...(page.button ? ['<form method="post"><button type="submit">Acknowledge</button></form>'] : []),
    ...(i ? [`<p><a href="${escapeHtml(i.url)}">Open the incident in Headroom</a></p>`] : []),
    '</body></html>',
  ].join('\n');
}
