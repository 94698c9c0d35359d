import { fiscalYearRange, jstMidnight, jstParts, reiwaLabel } from '../core/jst.js';
import { Judgement } from '../core/judgement.js';
import type { RollupRow } from '../store/store.js';
import { F, type FigureContext, SLOTS, YEAR, ZoneAcc } from './accumulate.js';
import { summariseAlerts } from './alerts.js';
import { sensorCompleteness } from './completeness.js';
import { energyDeltas } from './energy.js';
import { findings } from './findings.js';
import { inUsePart } from './inuse.js';
import { PeriodHours } from './period.js';
import type { MeterInfo, Report, ReportInput, ZoneReport } from './types.js';

/**
 * The fiscal-year eco report as data: a pure function of rollups, alert
 * facts, config and calendar (docs/report.md says how each figure is
 * computed). Renderers (xlsx, csv, html) only format this structure.
 */
export function buildReport(input: ReportInput): Report {
  const { config, fy } = input;
  const lang = config.report.language;
  const judge = input.judgement ?? new Judgement(config);
  const period = new PeriodHours(fy, input.to, lang, judge);
  const L = config.limits;
  const zoneIds = config.zones.map((z) => z.id);
  const accs = new Map<string, ZoneAcc>();
  const acc = (zone: string): ZoneAcc => {
    let a = accs.get(zone);
    if (!a) {
      a = new ZoneAcc(period.days);
      accs.set(zone, a);
      if (!zoneIds.includes(zone)) zoneIds.push(zone);
    }
    return a;
  };
  for (const z of zoneIds) acc(z);

  const site = config.site.id;
  const bySeries = groupBySeries(input.rows, site);
  const prevBySeries = groupBySeries(input.previousRows, site, true);
  let done = 0;
  for (const [key, rows] of bySeries) {
    addSeries(acc(rows[0]!.zone), rows, prevBySeries.get(key) ?? [], period);
    input.onProgress?.(++done, bySeries.size);
  }
  // previous-year energy of series that have no rows this year still counts as "previous"
  for (const [key, prev] of prevBySeries) {
    if (!bySeries.has(key)) addEnergy(acc(prev[0]!.zone), [], prev, period);
  }

  const zoneCfg = new Map(config.zones.map((z) => [z.id, z]));
  const spans = new Float64Array(SLOTS);
  const prevSpans = new Float64Array(SLOTS);
  const cooling: boolean[] = [];
  const heating: boolean[] = [];
  for (let m = 0; m < 12; m++) {
    spans[m] = period.spanOfMonth(m);
    prevSpans[m] = period.prevSpanOfMonth(m);
    spans[YEAR]! += spans[m]!;
    prevSpans[YEAR]! += prevSpans[m]!;
    const calMonth = ((m + 3) % 12) + 1;
    const inSpan = spans[m]! > 0;
    cooling.push(inSpan && L.eco.coolingMonths.includes(calMonth));
    heating.push(inSpan && L.eco.heatingMonths.includes(calMonth));
  }
  cooling.push(cooling.some(Boolean));
  heating.push(heating.some(Boolean));
  const zones: ZoneReport[] = zoneIds.map((id) => {
    const a = accs.get(id)!;
    // CO2 is judged on the law's daily mean over the zone's in-use time: the one judgement computes it
    a.dayBuckets.forEach((b, d) => {
      // (F3) the judgement's one rule for a day that counts: `judged` (readings and coverage), as the alerts
      const m = b ? judge.dailyMean(id, b) : undefined;
      a.dayMean[d] = m?.judged && m.mean !== undefined ? m.mean : Number.NaN;
    });
    const z = zoneCfg.get(id);
    const target = z?.illuminanceTarget ?? L.illuminance.defaultTarget;
    const ctx: FigureContext = {
      target,
      co2Max: L.co2.max,
      dayMonth: period.dayMonth,
      inUseMs: period.inUseMsBySlot(id),
      spanMs: spans,
      prevSpanMs: prevSpans,
      cooling,
      heating,
      yoyCoverageMin: config.report.yoyCoverageMin,
    };
    const fig = (slot: number) => a.figures(slot, ctx);
    return {
      id,
      name: z ? z.name[lang] : id,
      months: Array.from({ length: 12 }, (_, m) => fig(m)),
      year: fig(YEAR),
    };
  });

  const range = fiscalYearRange(fy);
  const report: Report = {
    fy,
    fyLabel: lang === 'ja' ? `${fy}年度` : `FY${fy}`,
    reiwaLabel: reiwaLabel(fy),
    language: lang,
    site: { id: site, name: config.site.name[lang] },
    from: period.from,
    to: period.to,
    partial: period.to < range.to,
    generatedAt: input.generatedAt,
    limits: L,
    hours: { open: config.hours.open, close: config.hours.close },
    months: period.months,
    zones,
    sensors: sensorCompleteness(input, period, bySeries),
    alerts: summariseAlerts(input.alerts, period),
    findings: [],
    coverageMin: config.report.coverageMin,
    yoyCoverageMin: config.report.yoyCoverageMin,
    meters: meters(bySeries, prevBySeries, zones),
  };
  report.findings = findings(report, config.report.completenessWarnBelow);
  return report;
}

/**
 * Rows of `site` per series, each in time order. Stores return rows grouped by
 * series and ordered by hour, so runs are detected without building a key per
 * row; anything else still works (runs are merged, then sorted).
 */
function groupBySeries(
  rows: readonly RollupRow[],
  site: string,
  energyOnly = false,
): Map<string, RollupRow[]> {
  const out = new Map<string, RollupRow[]>();
  let list: RollupRow[] | undefined;
  let prev: RollupRow | undefined;
  const unsorted = new Set<RollupRow[]>();
  for (const r of rows) {
    if (r.site !== site) continue;
    if (energyOnly && r.quantity !== 'energy' && r.quantity !== 'power') continue;
    if (!prev || !list || r.sensor !== prev.sensor || r.quantity !== prev.quantity || r.zone !== prev.zone) {
      const key = `${r.zone}/${r.sensor}/${r.quantity}`;
      list = out.get(key);
      if (!list) {
        list = [];
        out.set(key, list);
      } else unsorted.add(list);
    } else if (r.hour <= prev.hour) unsorted.add(list);
    list.push(compact(r));
    prev = r;
  }
  for (const l of unsorted) l.sort((a, b) => a.hour - b.hour);
  return out;
}

/**
 * A copy with one fixed shape. Rows from the embedded store arrive with
 * several hidden classes, which made every pass over them megamorphic;
 * copying once made the later passes ~8× faster on a year of 35 series.
 */
function compact(r: RollupRow): RollupRow {
  return {
    site: r.site,
    zone: r.zone,
    sensor: r.sensor,
    quantity: r.quantity,
    hour: r.hour,
    count: r.count,
    sum: r.sum,
    min: r.min,
    max: r.max,
    last: r.last,
    coveredMs: r.coveredMs,
    outside: r.outside,
  };
}

function addSeries(a: ZoneAcc, rows: readonly RollupRow[], prev: readonly RollupRow[], p: PeriodHours): void {
  const q = rows[0]!.quantity;
  if (q === 'energy' || q === 'power') {
    addEnergy(a, rows, prev, p);
    return;
  }
  const mins = p.inUseMinutes(rows[0]!.zone);
  const slots = new Set<number>();
  const inUse = (
    tMs: number,
    tVms: number,
    tOut: number,
    r: RollupRow,
    id: string | undefined,
    w: number,
    m: number,
    outIsInUse = false,
  ) => {
    const part = inUsePart(r, id, w, outIsInUse);
    a.add(tMs, m, part.ms);
    a.add(tVms, m, part.valueMs);
    if (tOut >= 0) a.add(tOut, m, part.out);
    return part;
  };
  for (const r of rows) {
    const i = p.indexOf(r.hour);
    if (i < 0) continue;
    const m = p.month[i]!;
    slots.add(m);
    const w = mins[i]! / 60;
    const out = r.outside;
    switch (q) {
      case 'temperature':
        inUse(F.tMs, F.tVms, F.tOut, r, 'comfort.temperature', w, m);
        a.add(F.overcool, m, out['eco.overcooling'] ?? 0);
        a.add(F.overheat, m, out['eco.overheating'] ?? 0);
        break;
      case 'humidity':
        inUse(F.hMs, F.hVms, F.hOut, r, 'comfort.humidity', w, m);
        break;
      case 'co2': {
        inUse(F.cMs, F.cVms, F.cOut, r, 'comfort.co2', w, m);
        const d = p.day[i]!;
        const buckets = a.dayBuckets[d] ?? [];
        buckets.push({ hour: r.hour, sum: r.sum, count: r.count, sensor: r.sensor }); // (F3) per sensor: coverage
        a.dayBuckets[d] = buckets;
        break;
      }
      case 'illuminance':
        // the illuminance limit applies only while open, so in older rows its ms are already open time
        inUse(F.lMs, F.lVms, F.lOut, r, 'comfort.illuminance', w, m, true);
        break;
      case 'lights':
        a.add(F.lightsAfter, m, out['eco.lights_after_hours'] ?? 0);
        a.add(F.lightsClosed, m, out['eco.lights_closed_day'] ?? 0);
        a.add(F.lightsCov, m, r.coveredMs);
        break;
      case 'waiting': {
        const part = inUse(F.qMs, F.qVms, -1, r, undefined, w, m);
        if (part.ms > 0 && r.count > 0) {
          if (r.max > a.peak[m]!) a.peak[m] = r.max;
          if (r.max > a.peak[YEAR]!) a.peak[YEAR] = r.max;
        }
        break;
      }
      case 'wait_minutes':
        inUse(F.wMs, F.wVms, F.wYellow, r, 'service.wait_band_yellow', w, m);
        a.add(F.wRed, m, inUsePart(r, 'service.wait_band_red', w).out);
        break;
      default:
        break;
    }
  }
  if (
    q === 'temperature' ||
    q === 'humidity' ||
    q === 'co2' ||
    q === 'illuminance' ||
    q === 'lights' ||
    q === 'waiting' ||
    q === 'wait_minutes'
  )
    a.countSeries(q, slots);
}

function addEnergy(a: ZoneAcc, rows: readonly RollupRow[], prev: readonly RollupRow[], p: PeriodHours): void {
  const meter = (rows[0] ?? prev[0])!.quantity === 'energy';
  const field = meter ? 'kwhMeter' : 'kwhPower';
  const prevField = meter ? 'kwhMeterPrev' : 'kwhPowerPrev';
  const slots = new Set<number>();
  const prevSlots = new Set<number>();
  const prevRange = fiscalYearRange(jstParts(p.from).year - 1);
  for (const d of energyDeltas(meter, [...prev, ...rows])) {
    const i = p.indexOf(d.hour);
    if (i >= 0) {
      a.add(F[field], p.month[i]!, d.kwh);
      a.add(F.eCov, p.month[i]!, d.coveredMs);
      slots.add(p.month[i]!);
      continue;
    }
    if (d.hour < prevRange.from || d.hour >= prevRange.to) continue;
    // same span of the previous fiscal year: same month, same offset into the month
    const jp = jstParts(d.hour);
    const m = (jp.month + 8) % 12;
    const offset = d.hour - jstMidnight(jp.year, jp.month, 1);
    if (p.months[m]!.from + offset >= p.to) continue;
    a.add(F[prevField], m, d.kwh);
    a.add(F.eCovPrev, m, d.coveredMs);
    prevSlots.add(m);
  }
  a.countSeries(meter ? 'energy' : 'power', slots);
  a.countSeries(meter ? 'energyPrev' : 'powerPrev', prevSlots);
}

/** The meters (or power sensors) behind the energy figures and the zone each covers, named on the report. */
function meters(
  bySeries: ReadonlyMap<string, readonly RollupRow[]>,
  prevBySeries: ReadonlyMap<string, readonly RollupRow[]>,
  zones: readonly ZoneReport[],
): MeterInfo[] {
  const names = new Map(zones.map((z) => [z.id, z.name]));
  const out = new Map<string, MeterInfo>();
  for (const list of [bySeries, prevBySeries])
    for (const rows of list.values()) {
      const r = rows[0]!;
      if (r.quantity !== 'energy' && r.quantity !== 'power') continue;
      out.set(`${r.zone}/${r.sensor}/${r.quantity}`, {
        zone: r.zone,
        zoneName: names.get(r.zone) ?? r.zone,
        sensor: r.sensor,
        quantity: r.quantity,
      });
    }
  // a meter that also reports power is named once, as the meter the figures come from
  for (const [key, m] of out)
    if (m.quantity === 'power' && out.has(`${m.zone}/${m.sensor}/energy`)) out.delete(key);
  const order = new Map(zones.map((z, i) => [z.id, i]));
  return [...out.values()].sort(
    (a, b) => (order.get(a.zone) ?? 1e6) - (order.get(b.zone) ?? 1e6) || a.sensor.localeCompare(b.sensor),
  );
}
