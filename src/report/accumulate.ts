import type { ZoneFigures } from './types.js';

/** Month slots 0–11 (April–March) plus slot 12 for the whole span. */
export const SLOTS = 13;
export const YEAR = 12;
const H = 3_600_000;

const FIELDS = [
  // in use (minute-exact, see inuse.ts): covered ms, Σ value × ms, ms outside the limit
  'tMs',
  'tVms',
  'tOut',
  'hMs',
  'hVms',
  'hOut',
  'cMs',
  'cVms',
  'cOut',
  'lMs',
  'lVms',
  'lOut',
  'qMs',
  'qVms',
  'wMs',
  'wVms',
  'wYellow',
  'wRed',
  // ms outside eco limits (those limits carry their own windows: open hours, season, closed days)
  'overcool',
  'overheat',
  'lightsAfter',
  'lightsClosed',
  // covered ms of the lights circuits (all hours: a state is judged day and night)
  'lightsCov',
  // energy and the covered ms of its meters, this span and the same span a year before
  'kwhMeter',
  'kwhPower',
  'kwhMeterPrev',
  'kwhPowerPrev',
  'eCov',
  'eCovPrev',
] as const;
type Field = (typeof FIELDS)[number];
/** field name → index into the flat sums array (numeric, so the hot loop does no string lookups) */
export const F = Object.fromEntries(FIELDS.map((k, i) => [k, i])) as { readonly [K in Field]: number };

/** Series counted per slot, to turn summed hours into hours per sensor and coverage into a share. */
const SERIES_COUNTS = [
  'temperature',
  'humidity',
  'co2',
  'illuminance',
  'lights',
  'waiting',
  'wait_minutes',
  'energy',
  'power',
  'energyPrev',
  'powerPrev',
] as const;
export type SeriesCount = (typeof SERIES_COUNTS)[number];

/** What a zone's figures are measured against (from PeriodHours and config). */
export interface FigureContext {
  target: number;
  co2Max: number;
  dayMonth: Uint8Array;
  /** in-use ms of the zone per slot */
  inUseMs: Float64Array;
  /** ms of each slot inside the span, and of the matching span a year before */
  spanMs: Float64Array;
  prevSpanMs: Float64Array;
  /** slots where the cooling / heating season applies (over-cooling / over-heating are "not applicable" elsewhere) */
  cooling: boolean[];
  heating: boolean[];
  yoyCoverageMin: number;
}

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
  /** per JST day: the zone's CO2 rollup buckets (all its sensors), for the law's daily mean */
  readonly dayBuckets: ({ hour: number; sum: number; count: number; sensor?: string }[] | undefined)[];
  /** per JST day: the law's daily mean (the one judgement's `dailyMean`), NaN when the day is not `judged` */
  dayMean: Float64Array;

  constructor(days: number) {
    this.dayBuckets = new Array(days).fill(undefined);
    this.dayMean = new Float64Array(days).fill(Number.NaN);
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

  figures(slot: number, x: FigureContext): ZoneFigures {
    const g = (k: Field) => this.sums[F[k] * SLOTS + slot]!;
    const ratio = (a: Field, b: Field) => (g(b) > 0 ? g(a) / g(b) : null);
    const within = (out: Field, cov: Field) => (g(cov) > 0 ? clamp01(1 - g(out) / g(cov)) : null);
    const perSeries = (k: Field, n: SeriesCount) =>
      this.series[n][slot]! > 0 ? g(k) / H / this.series[n][slot]! : null;
    // coverage: covered in-use ms ÷ (in-use ms × the zone's sensors of that quantity in the year)
    const inUse = x.inUseMs[slot]!;
    const cover = (ms: Field, n: SeriesCount): number | null => {
      const k = this.series[n][YEAR]!;
      if (k === 0 || inUse <= 0) return null;
      return clamp01(g(ms) / (inUse * k));
    };
    const coverSpan = (ms: Field, kinds: SeriesCount[], span: number): number | null => {
      const k = kinds.reduce((s, n) => s + this.series[n][YEAR]!, 0);
      if (k === 0 || span <= 0) return null;
      return clamp01(g(ms) / (span * k));
    };
    let daysMeasured = 0;
    let daysAbove = 0;
    for (let d = 0; d < this.dayMean.length; d++) {
      if (Number.isNaN(this.dayMean[d]!) || (slot !== YEAR && x.dayMonth[d] !== slot)) continue;
      daysMeasured++;
      if (this.dayMean[d]! > x.co2Max) daysAbove++;
    }
    const meter = this.series.energy[slot]! > 0;
    const power = !meter && this.series.power[slot]! > 0;
    const kwh = meter ? g('kwhMeter') : power ? g('kwhPower') : null;
    const prevMeter = this.series.energyPrev[slot]! > 0;
    const prevPower = !prevMeter && this.series.powerPrev[slot]! > 0;
    const prev = prevMeter ? g('kwhMeterPrev') : prevPower ? g('kwhPowerPrev') : null;
    const eCover = coverSpan('eCov', ['energy', 'power'], x.spanMs[slot]!);
    const ePrevCover = coverSpan('eCovPrev', ['energyPrev', 'powerPrev'], x.prevSpanMs[slot]!);
    const comparable =
      kwh === null || prev === null
        ? null
        : (eCover ?? 0) >= x.yoyCoverageMin && (ePrevCover ?? 0) >= x.yoyCoverageMin && prev > 0;
    const nWait = this.series.wait_minutes[slot]!;
    const wMs = g('wMs');
    const band = (ms: number) => (nWait > 0 && wMs > 0 ? ms / H / nWait : null);
    const lightsCover = coverSpan('lightsCov', ['lights'], x.spanMs[slot]!);
    return {
      temperature: { mean: ratio('tVms', 'tMs'), withinShare: within('tOut', 'tMs') },
      humidity: { mean: ratio('hVms', 'hMs'), withinShare: within('hOut', 'hMs') },
      co2: {
        mean: ratio('cVms', 'cMs'),
        daysMeasured,
        daysAbove: daysMeasured > 0 ? daysAbove : null,
        hoursAbove: perSeries('cOut', 'co2'),
      },
      illuminance: { target: x.target, mean: ratio('lVms', 'lMs'), atOrAboveShare: within('lOut', 'lMs') },
      eco: {
        overcooledHours: x.cooling[slot] ? perSeries('overcool', 'temperature') : null,
        overheatedHours: x.heating[slot] ? perSeries('overheat', 'temperature') : null,
        overcoolApplicable: x.cooling[slot]!,
        overheatApplicable: x.heating[slot]!,
        lightsAfterHoursHours: perSeries('lightsAfter', 'lights'),
        lightsClosedDayHours: perSeries('lightsClosed', 'lights'),
        energyKwh: kwh,
        energyPrevKwh: prev,
        energyChange: comparable && kwh !== null && prev !== null ? (kwh - prev) / prev : null,
        energyComparable: comparable,
        energySource: meter ? 'meter' : power ? 'power' : null,
      },
      counter: {
        waitingMean: ratio('qVms', 'qMs'),
        waitingPeak: Number.isFinite(this.peak[slot]!) ? this.peak[slot]! : null,
        waitMinutesMean: ratio('wVms', 'wMs'),
        bandHours: {
          blue: band(Math.max(0, wMs - g('wYellow') - g('wRed'))),
          yellow: band(g('wYellow')),
          red: band(g('wRed')),
        },
      },
      coverage: {
        temperature: cover('tMs', 'temperature'),
        humidity: cover('hMs', 'humidity'),
        co2: cover('cMs', 'co2'),
        illuminance: cover('lMs', 'illuminance'),
        lights: lightsCover,
        counter: cover('wMs', 'wait_minutes') ?? cover('qMs', 'waiting'),
        energy: kwh === null ? null : eCover,
        energyPrev: prev === null ? null : ePrevCover,
      },
    };
  }
}

function clamp01(x: number): number {
  return Math.min(1, Math.max(0, x));
}
