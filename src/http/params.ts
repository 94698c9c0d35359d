/** Query parameters as times: ISO 8601 or epoch ms; relative `-6h`, `-30m`, `-7d`, `now`. */
export function parseTime(raw: unknown, now: number): number | undefined {
  if (typeof raw !== 'string' || raw === '') return undefined;
  if (raw === 'now') return now;
  const rel = /^-(\d+(?:\.\d+)?)(s|m|h|d)$/.exec(raw);
  if (rel) return now - Number(rel[1]) * UNIT_MS[rel[2] as keyof typeof UNIT_MS];
  if (/^\d+$/.test(raw)) return Number(raw);
  const t = Date.parse(raw);
  return Number.isFinite(t) ? t : Number.NaN;
}

/** Durations: `60s`, `5m`, `1h`, `1d`, or ms as a number. */
export function parseDuration(raw: unknown): number | undefined {
  if (typeof raw !== 'string' || raw === '') return undefined;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(raw);
  if (!m) return Number.NaN;
  return Number(m[1]) * (m[2] ? UNIT_MS[m[2] as keyof typeof UNIT_MS] : 1);
}

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

export class BadRequest extends Error {}
