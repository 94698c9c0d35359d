import type { Calendar } from '../core/calendar.js';
import type { Judgement } from '../core/judgement.js';
import { IN_USE_MS, IN_USE_VALUE_MS, inUseKey } from '../store/rollup.js';
import type { RollupRow } from '../store/store.js';

/**
 * Whether a zone is in use at a minute: the one judgement's answer (src/core,
 * issue 12). The report only asks; it keeps no copy of hours or closed days.
 */
export type InUseFn = (zone: string, ts: number) => boolean;

/** The building calendar's opening hours, for every zone (tests and old callers; the service passes the Judgement). */
export function calendarInUse(calendar: Calendar): InUseFn {
  return (_zone, ts) => calendar.isOpen(ts);
}

/** What the report asks the one judgement (src/core/judgement.ts): in-use time and the law's daily mean. */
export type InUseJudge = Pick<Judgement, 'inUse' | 'inUseMs' | 'dailyMean'>;

/** One rollup row's share of in-use time: covered ms, Σ value × ms, and ms outside a limit, all while in use. */
export interface InUsePart {
  ms: number;
  valueMs: number;
  out: number;
}

/**
 * The in-use part of a rollup row. Rows written with the zone's in-use time
 * (`in_use.ms` present) are minute-exact. Older rows (no such key) fall back
 * to the hour's in-use share `w` (in-use minutes ÷ 60), i.e. they assume the
 * hour's readings were spread evenly; `outIsInUse` marks limits that already
 * applied only while open (their ms are used as they are). Rows written since
 * the rollups know the in-use time always carry the keys, so this fallback
 * only reads rollups from before that change.
 */
export function inUsePart(
  row: RollupRow,
  checkId: string | undefined,
  w: number,
  outIsInUse = false,
): InUsePart {
  const o = row.outside;
  if (o[IN_USE_MS] !== undefined) {
    return {
      ms: o[IN_USE_MS],
      valueMs: o[IN_USE_VALUE_MS] ?? 0,
      out: checkId === undefined ? 0 : (o[inUseKey(checkId)] ?? 0),
    };
  }
  const ms = row.count > 0 ? row.coveredMs * w : 0;
  const out = checkId === undefined ? 0 : (o[checkId] ?? 0) * (outIsInUse ? 1 : w);
  return { ms, valueMs: row.count > 0 ? (row.sum / row.count) * ms : 0, out };
}
