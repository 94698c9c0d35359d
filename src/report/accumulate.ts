import type { ZoneFigures } from './types.js';

/** Month slots 0–11 (April–March) plus slot 12 for the whole span. */
export const SLOTS = 13;
export const YEAR = 12;
const H = 3_600_000;

const FIELDS = [
  // temperature, humidity, co2, illuminance, waiting, wait minutes: open-weighted sum/count of readings
  'tSum',
  'tCnt',
  'hSum',
  'hCnt',
  'cSum',
  'cCnt',
  'lSum',
  'lCnt',
  'qSum',
  'qCnt',
  'wSum',
  'wCnt',
  // open-weighted covered ms and ms outside a limit
  'tCov',
  'tOut',
  'hCov',
  'hOut',
  'cOut',
  'lCov',
  'lOut',
  'wCov',
  'wYellow',
  'wRed',
  // ms outside eco limits (those limits apply only in their own windows, so unweighted)
  'overcool',
  'overheat',
  'lightsAfter',
  'lightsClosed',
  // energy
  'kwhMeter',
  'kwhPower',
  'kwhMeterPrev',
  'kwhPowerPrev',
] as const;
type Field = (typeof FIELDS)[number];
/** field name → index into the flat sums array (numeric, so the hot loop does no string lookups) */
export const F = Object.fromEntries(FIELDS.map((k, i) => [k, i])) as { readonly [K in Field]: number };

/** Series counted per slot, to turn summed hours into hours per sensor. */
const SERIES_COUNTS = [
  'temperature',
  'co2',
  'lights',
  'wait_minutes',
  'energy',
  'power',
  'energyPrev',
  'powerPrev',
] as const;
type SeriesCount = (typeof SERIES_COUNTS)[number];

/**
 * Running sums for one zone, per slot. Every figure of the report is a ratio
 * of these sums, so a year figure is computed from the year's readings, not
 * as an average of monthly averages.
 */
export class ZoneAcc {
  /** sums[field * SLOTS + slot] */
  readonly sums = new Float64Array(FIELDS.length * SLOTS);
  readonly series = Object.fromEntries(SERIES_COUNTS.map((k) => [k, new Uint16Array(SLOTS)])) as Record<
    SeriesCount,
    Uint16Array
  >;
  readonly peak = new Float64Array(SLOTS).fill(Number.NEGATIVE_INFINITY);
  /** per JST day: open-weighted CO2 sum and count (pooled over the zone's CO2 sensors) */
  readonly daySum: Float64Array;
  readonly dayCnt: Float64Array;

  constructor(days: number) {
    this.daySum = new Float64Array(days);
    this.dayCnt = new Float64Array(days);
  }

  /** adds v to month m and to the year; `field` is an index from F */
  add(field: number, m: number, v: number): void {
    const base = field * SLOTS;
    this.sums[base + m]! += v;
    this.sums[base + YEAR]! += v;
  }

  countSeries(kind: SeriesCount, slots: Iterable<number>): void {
    let any = false;
    for (const m of slots) {
      this.series[kind][m]!++;
      any = true;
    }
    if (any) this.series[kind][YEAR]!++;
  }

  figures(
    slot: number,
    target: number,
    co2Max: number,
    dayMonth: Uint8Array,
    energyComparable: boolean,
  ): ZoneFigures {
    const g = (k: Field) => this.sums[F[k] * SLOTS + slot]!;
    const ratio = (a: Field, b: Field) => (g(b) > 0 ? g(a) / g(b) : null);
    const within = (out: Field, cov: Field) => (g(cov) > 0 ? clamp01(1 - g(out) / g(cov)) : null);
    const perSeries = (k: Field, n: SeriesCount) =>
      this.series[n][slot]! > 0 ? g(k) / H / this.series[n][slot]! : null;
    let daysMeasured = 0;
    let daysAbove = 0;
    for (let d = 0; d < this.dayCnt.length; d++) {
      if (this.dayCnt[d]! <= 0 || (slot !== YEAR && dayMonth[d] !== slot)) continue;
      daysMeasured++;
      if (this.daySum[d]! / this.dayCnt[d]! > co2Max) daysAbove++;
    }
    const meter = this.series.energy[slot]! > 0;
    const power = !meter && this.series.power[slot]! > 0;
    const kwh = meter ? g('kwhMeter') : power ? g('kwhPower') : null;
    const prevMeter = this.series.energyPrev[slot]! > 0;
    const prevPower = !prevMeter && this.series.powerPrev[slot]! > 0;
    const prev = !energyComparable
      ? null
      : prevMeter
        ? g('kwhMeterPrev')
        : prevPower
          ? g('kwhPowerPrev')
          : null;
    const wCov = g('wCov');
    const nWait = this.series.wait_minutes[slot]!;
    const band = (ms: number) => (nWait > 0 && wCov > 0 ? ms / H / nWait : null);
    return {
      temperature: { mean: ratio('tSum', 'tCnt'), withinShare: within('tOut', 'tCov') },
      humidity: { mean: ratio('hSum', 'hCnt'), withinShare: within('hOut', 'hCov') },
      co2: {
        mean: ratio('cSum', 'cCnt'),
        daysMeasured,
        daysAbove: daysMeasured > 0 ? daysAbove : null,
        hoursAbove: perSeries('cOut', 'co2'),
      },
      illuminance: { target, mean: ratio('lSum', 'lCnt'), atOrAboveShare: within('lOut', 'lCov') },
      eco: {
        overcooledHours: perSeries('overcool', 'temperature'),
        overheatedHours: perSeries('overheat', 'temperature'),
        lightsAfterHoursHours: perSeries('lightsAfter', 'lights'),
        lightsClosedDayHours: perSeries('lightsClosed', 'lights'),
        energyKwh: kwh,
        energyPrevKwh: prev,
        energyChange: kwh !== null && prev !== null && prev > 0 ? (kwh - prev) / prev : null,
        energySource: meter ? 'meter' : power ? 'power' : null,
      },
      counter: {
        waitingMean: ratio('qSum', 'qCnt'),
        waitingPeak: Number.isFinite(this.peak[slot]!) ? this.peak[slot]! : null,
        waitMinutesMean: ratio('wSum', 'wCnt'),
        bandHours: {
          blue: band(Math.max(0, wCov - g('wYellow') - g('wRed'))),
          yellow: band(g('wYellow')),
          red: band(g('wRed')),
        },
      },
    };
  }
}

function clamp01(x: number): number {
  return Math.min(1, Math.max(0, x));
}
