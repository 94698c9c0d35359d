import { isQuantity, QUANTITIES, type Quantity } from '../core/quantities.js';
import { IngestedReading, keysOf, type Reading } from '../core/reading.js';
import type { Inventory } from '../inventory/inventory.js';
import type { Candidate, RejectReason } from './format.js';

export interface NormaliseOptions {
  now: number;
  receivedAt: number;
  maxFutureSkewMs: number;
  maxAgeMs: number;
  unregistered: 'accept' | 'reject';
  inventory: Inventory;
}

export interface FieldRejection {
  reason: RejectReason;
  detail: string;
}

const BOOLEAN_WORDS: Record<string, number> = { on: 1, off: 0, true: 1, false: 0, open: 1, closed: 0 };

/** A raw value as a finite number: numbers, numeric strings, on/off/true/false; else a reason. */
export function toNumber(raw: unknown): number | FieldRejection {
  if (typeof raw === 'number') {
    return Number.isFinite(raw) ? raw : { reason: 'not_a_number', detail: `value ${raw} is not finite` };
  }
  if (typeof raw === 'boolean') return raw ? 1 : 0;
  if (typeof raw === 'string') {
    const s = raw.trim();
    const word = BOOLEAN_WORDS[s.toLowerCase()];
    if (word !== undefined) return word;
    // Number('') is 0 and Number('0x1f') is 31: accept plain decimal notation only.
    if (/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(s)) return Number(s);
    return { reason: 'not_a_number', detail: `"${s.slice(0, 32)}" is not a number` };
  }
  return { reason: 'not_a_number', detail: `expected a number, got ${raw === null ? 'null' : typeof raw}` };
}

/** Largest epoch ms a Date can hold (±100,000,000 days); beyond, `new Date(ts)` is invalid. */
const MAX_DATE_MS = 8.64e15;
/** Longest site, zone or sensor id accepted (a 60,000-character id is junk, not a sensor). */
export const MAX_ID_CHARS = 64;

/** A raw value for a rejection's detail: never throws (deep nesting, BigInt, cycles). */
export function describe(raw: unknown, max = 40): string {
  if (typeof raw === 'string') return JSON.stringify(raw.slice(0, max));
  if (raw === null || typeof raw !== 'object') return String(raw).slice(0, max);
  return Array.isArray(raw) ? `an array` : 'an object';
}

/** A payload timestamp (ISO 8601 string, epoch ms, or epoch seconds) as epoch ms. */
export function toTimestamp(raw: unknown): number | FieldRejection {
  let ts: number;
  if (typeof raw === 'number' && Number.isFinite(raw)) {
    // epoch seconds (up to year 5138) vs ms: anything below 1e11 is seconds.
    ts = raw < 1e11 ? raw * 1000 : raw;
  } else if (typeof raw === 'string' && raw.length <= 64 && /^\d{4}-\d{2}-\d{2}T/.test(raw)) {
    ts = Date.parse(/[zZ]|[+-]\d{2}:?\d{2}$/.test(raw) ? raw : `${raw}+09:00`);
  } else {
    return {
      reason: 'bad_timestamp',
      detail: `ts must be ISO 8601 or epoch ms, got ${describe(raw)}`,
    };
  }
  if (!Number.isFinite(ts) || Math.abs(ts) > MAX_DATE_MS)
    return { reason: 'bad_timestamp', detail: `ts ${describe(raw)} is not a date` };
  return Math.round(ts);
}

/**
 * Validates a candidate and turns it into readings: finite numbers within the
 * quantity's plausible range, a timestamp neither far in the future nor too
 * old, inventory zone and calibration applied. Pure: `now` is passed in.
 * Invalid fields are rejected one by one; valid fields of the same message are kept.
 */
export function normalise(
  c: Candidate,
  o: NormaliseOptions,
): { readings: Reading[]; rejections: FieldRejection[] } {
  const readings: Reading[] = [];
  const rejections: FieldRejection[] = [];
  // (every reading passes here: no array of ids)
  const id =
    c.site.length > MAX_ID_CHARS
      ? c.site
      : c.zone.length > MAX_ID_CHARS
        ? c.zone
        : c.sensor.length > MAX_ID_CHARS
          ? c.sensor
          : undefined;
  if (id !== undefined) {
    return {
      readings,
      rejections: [
        {
          reason: 'id_too_long',
          detail: `id "${id.slice(0, 32)}…" has ${id.length} > ${MAX_ID_CHARS} characters`,
        },
      ],
    };
  }
  const sensor = o.inventory.get(c.site, c.sensor);
  if (!sensor && o.unregistered === 'reject') {
    return {
      readings,
      rejections: [
        { reason: 'unregistered_sensor', detail: `sensor "${c.site}/${c.sensor}" is not in the inventory` },
      ],
    };
  }
  let ts = o.receivedAt;
  if (c.ts !== undefined && c.ts !== null) {
    const t = toTimestamp(c.ts);
    if (typeof t !== 'number') return { readings, rejections: [t] };
    if (t > o.now + o.maxFutureSkewMs) {
      return {
        readings,
        rejections: [
          { reason: 'future_timestamp', detail: `ts ${new Date(t).toISOString()} is in the future` },
        ],
      };
    }
    if (t < o.now - o.maxAgeMs) {
      return {
        readings,
        rejections: [{ reason: 'too_old', detail: `ts ${new Date(t).toISOString()} is too old` }],
      };
    }
    ts = t;
  }
  const zone = sensor?.zone ?? c.zone;
  const keys = keysOf(c.site, zone, c.sensor);
  const values = c.values as Record<string, unknown>;
  for (const q in values) {
    const raw = values[q];
    if (!isQuantity(q)) {
      rejections.push({ reason: 'unknown_quantity', detail: `unknown quantity "${q.slice(0, 32)}"` });
      continue;
    }
    const n = toNumber(raw);
    if (typeof n !== 'number') {
      rejections.push({ reason: n.reason, detail: `${q}: ${n.detail}` });
      continue;
    }
    const value = n + (sensor?.calibration[q as Quantity] ?? 0);
    const range = QUANTITIES[q];
    if (value < range.min || value > range.max) {
      rejections.push({
        reason: 'out_of_range',
        detail: `${q} ${value} outside the plausible ${range.min}…${range.max} ${range.unit}`,
      });
      continue;
    }
    readings.push(
      new IngestedReading(
        c.site,
        zone,
        c.sensor,
        q,
        value,
        ts,
        sensor !== undefined,
        keys.sensorKey,
        keys.series(q as Quantity),
      ),
    );
  }
  return { readings, rejections };
}
