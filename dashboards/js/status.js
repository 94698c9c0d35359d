/**
 * Pure judgements for the wall, from the site's `limits` and `hours` (as
 * /api/site returns them): a value's comfort status, eco deviation and a
 * counter's wait band. The alert rules on the server stay the authority for
 * alerts; these only colour the tiles. National holidays are not known here
 * (the server's eco alerts cover them and also set the eco mark).
 */
import { jstParts } from './format.js';

/** @typedef {'ok' | 'caution' | 'out'} Status */

/** Caution margins inside a limit: the tile turns amber before a value breaks it. */
export const MARGINS = { temperature: 1, humidity: 5, co2Share: 0.8, illuminanceShare: 1.1 };

const RANK = { ok: 0, caution: 1, out: 2 };

/** The worse of statuses; null when none. @param {(Status | null)[]} list @returns {Status | null} */
export function worst(list) {
  /** @type {Status | null} */
  let w = null;
  for (const s of list) if (s && (w === null || RANK[s] > RANK[w])) w = s;
  return w;
}

/**
 * Comfort status of one value (Building Sanitation Act ranges, the zone's
 * illuminance target during opening hours); null when the quantity has none.
 * @param {string} q @param {number} v
 * @param {{limits: any, illuminanceTarget?: number, open: boolean}} ctx
 * @returns {Status | null}
 */
export function comfortStatus(q, v, ctx) {
  const L = ctx.limits;
  switch (q) {
    case 'temperature':
    case 'humidity': {
      const { min, max } = L[q];
      const m = MARGINS[q];
      if (v < min || v > max) return 'out';
      return v < min + m || v > max - m ? 'caution' : 'ok';
    }
    case 'co2':
      if (v > L.co2.max) return 'out';
      return v > L.co2.max * MARGINS.co2Share ? 'caution' : 'ok';
    case 'illuminance': {
      if (!ctx.open) return null;
      const target = ctx.illuminanceTarget ?? L.illuminance.defaultTarget;
      if (v < target) return 'out';
      return v < target * MARGINS.illuminanceShare ? 'caution' : 'ok';
    }
    default:
      return null;
  }
}

/**
 * Whether the building is open at ms by its configured hours (weekdays,
 * open–close, yearly closed days, extra windows).
 * @param {number} ms @param {any} hours
 */
export function isOpen(ms, hours) {
  const p = jstParts(ms);
  const minute = p.hour * 60 + p.minute;
  const toMin = (/** @type {string} */ hhmm) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
  const mmdd = `${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`;
  const date = `${p.year}-${mmdd}`;
  for (const e of hours.extra ?? []) {
    if (e.date === date && minute >= toMin(e.open) && minute < toMin(e.close)) return true;
  }
  if ((hours.closedDays ?? []).includes(mmdd)) return false;
  if (!(hours.days ?? []).includes(p.weekday)) return false;
  return minute >= toMin(hours.open) && minute < toMin(hours.close);
}

/**
 * Eco deviations of a zone now (eco policy, DESIGN §2): over-cooling while
 * cooling, over-heating while heating (opening hours), lights on while closed.
 * @param {{temperature?: number | null, lights?: number | null}} values
 * @param {number} ms @param {any} limits @param {any} hours
 * @returns {string[]} reasons: 'overcooling' | 'overheating' | 'lights'
 */
export function ecoDeviations(values, ms, limits, hours) {
  const out = [];
  const open = isOpen(ms, hours);
  const month = jstParts(ms).month;
  const t = values.temperature;
  if (open && t !== null && t !== undefined) {
    if (limits.eco.coolingMonths.includes(month) && t < limits.eco.overcoolBelow) out.push('overcooling');
    if (limits.eco.heatingMonths.includes(month) && t > limits.eco.overheatAbove) out.push('overheating');
  }
  if (!open && values.lights !== null && values.lights !== undefined && values.lights >= 0.5)
    out.push('lights');
  return out;
}

/**
 * Public congestion-display band for a wait in minutes: under 20 blue,
 * 20–40 yellow, 40 or more red (config limits.wait).
 * @param {number | null | undefined} minutes @param {{yellowFrom: number, redFrom: number}} wait
 * @returns {'blue' | 'yellow' | 'red' | null}
 */
export function waitBand(minutes, wait) {
  if (minutes === null || minutes === undefined || !Number.isFinite(minutes)) return null;
  if (minutes >= wait.redFrom) return 'red';
  return minutes >= wait.yellowFrom ? 'yellow' : 'blue';
}

/**
 * How a zone's several sensors of one quantity make one number: CO2 and
 * wait the worst (max), lights any on (max), people waiting the sum, the
 * rest the mean.
 * @param {string} q @param {number[]} values
 */
export function combine(q, values) {
  if (values.length === 0) return null;
  if (q === 'co2' || q === 'lights' || q === 'wait_minutes') return Math.max(...values);
  const sum = values.reduce((a, b) => a + b, 0);
  return q === 'waiting' || q === 'occupancy' ? sum : sum / values.length;
}
