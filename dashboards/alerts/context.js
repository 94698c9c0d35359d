/**
 * What every part of the staff alert page shares: the language, the signed
 * link's token and the alert ids it covers (from the URL), words, and small
 * DOM and HTTP helpers.
 */
import { text as tr } from './words.js';

export const params = new URLSearchParams(location.search);
/** @type {'ja' | 'en'} */
export const lang = params.get('lang') === 'en' ? 'en' : 'ja';
export const token = params.get('t') ?? '';
/** alert ids the link covers (the token starts with them; the server checks the signature) */
export const linked = token ? (token.split('.')[0] ?? '').split('-').map(Number) : [];
export const t = (
  /** @type {keyof typeof WORDS.ja} */ key,
  /** @type {Record<string, string | number>} */ vars = {},
) => tr(lang, key, vars);
export const NAME_KEY = 'kaiteki.name';

document.documentElement.lang = lang;

export const $ = (/** @type {string} */ id) => /** @type {HTMLElement} */ (document.getElementById(id));

/**
 * @param {string} tag
 * @param {Record<string, string>} [attrs]
 * @param {(Node | string | null | undefined | false)[]} [kids]
 */
export function h(tag, attrs = {}, kids = []) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') el.className = v;
    else el.setAttribute(k, v);
  }
  for (const k of kids) if (k) el.append(k);
  return el;
}

const SVG = 'http://www.w3.org/2000/svg';
/** @param {string} tag @param {Record<string, string | number>} attrs */
export function s(tag, attrs) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  return el;
}

// ── data ──────────────────────────────────────────────────────────────────
/** @param {string} url @param {any} [body] */
export async function call(url, body) {
  const res = await fetch(
    url,
    body === undefined
      ? {}
      : {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        },
  );
  const data = await res.json().catch(() => ({}));
  if (!res.ok) throw Object.assign(new Error(data.error ?? `HTTP ${res.status}`), { status: res.status });
  return data;
}
