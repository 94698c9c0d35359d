import { join } from 'node:path';
import express, { type Router } from 'express';
import type { AppContext } from '../core/context.js';
import { linkSigner } from '../http/links.js';

/**
 * `GET /alerts` — the staff alert page for phones (dashboards/alerts/). With
 * `?t=<token>` from a notice, the token is checked first: a tampered or
 * expired link gets a plain refusal page (Japanese and English) instead of
 * the page. A GET never changes anything (chat apps prefetch links); the page
 * acknowledges and silences with POSTs carrying the token.
 */
export function alertPageRouter(ctx: AppContext, dashboardsDir: string): Router {
  const r = express.Router();
  const signer = () => linkSigner(ctx.config.store.dataDir, ctx.config.secrets.linkSecret);
  r.get(['/alerts', '/alerts/'], (req, res) => {
    // The token is in the URL: keep it out of Referer headers and caches.
    res.set({ 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer' });
    const t = req.query.t;
    if (t !== undefined) {
      const check = signer().verify(t, ctx.clock.now());
      if (!check.ok) {
        const expired = check.reason === 'expired';
        res
          .status(expired ? 410 : 403)
          .type('html')
          .send(refusal(expired));
        return;
      }
    }
    res.sendFile(join(dashboardsDir, 'alerts', 'index.html'));
  });
  return r;
}

function refusal(expired: boolean): string {
  const ja = expired
    ? [
        'このリンクは有効期限が切れています',
        '通知のリンクは一定期間（既定 7 日）で無効になります。最新の通知のリンクを開くか、管理者に連絡してください。',
      ]
    : [
        'このリンクは無効です',
        'リンクが途中で切れているか、書き換えられています。通知のリンクをそのまま開いてください。',
      ];
  const en = expired
    ? [
        'This link has expired',
        'Links in notices stop working after a while (7 days by default). Open the link in the newest notice, or ask the administrator.',
      ]
    : [
        'This link is not valid',
        'The link is cut short or was changed. Open the link from the notice as it is.',
      ];
  return `<!doctype html>
<html lang="ja"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>${ja[0]} / ${en[0]}</title>
<link rel="stylesheet" href="/alerts/alerts.css"></head>
<body class="refused"><main>
<h1>${ja[0]}</h1><p>${ja[1]}</p>
<p><a href="/alerts">現在のアラート一覧（確認ボタンなし）</a></p>
<hr>
<h2 lang="en">${en[0]}</h2><p lang="en">${en[1]}</p>
<p lang="en"><a href="/alerts?lang=en">Current alerts (read only)</a></p>
</main></body></html>`;
}
