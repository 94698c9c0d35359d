import { fmt, type Lang, meterText, pct } from './labels.js';
import type { Report, ZoneFigures, ZoneReport } from './types.js';

/**
 * The main findings for the first sheet: short sentences computed from the
 * report's figures (never new numbers). First each metric's worst zone-month
 * among those with enough data, ranked by how far it is from its standard
 * (the share of in-use time outside it; for CO2 the share of days over);
 * then the months that are only reference values, by name; the worst
 * sensor-month; lights, over-cooling, energy (with its meters, coverage and
 * whether the year-on-year change is comparable), queues and alerts.
 */
export function findings(r: Report, warnBelow: number): string[] {
  const L = r.language;
  const t = (ja: string, en: string) => (L === 'ja' ? ja : en);
  const out: string[] = [];
  const months = r.months.filter((m) => m.from < r.to);
  const T = r.limits;

  // 1. each metric's worst zone-month (among those with enough data), ranked by distance from the standard
  const metrics: {
    label: string;
    value: (f: ZoneFigures) => number | null;
    coverage: (f: ZoneFigures) => number | null;
    text: (zone: string, month: string, v: number, cov: number | null) => string;
  }[] = [
    {
      label: t('温度', 'temperature'),
      value: (f) => (f.temperature.withinShare === null ? null : 1 - f.temperature.withinShare),
      coverage: (f) => f.coverage.temperature,
      text: (z, m, v, c) =>
        t(
          `温度: 基準（${T.temperature.min}–${T.temperature.max} °C）外が最も多いのは ${z} ${m}、使用時間の${pct(v, L)}（基準内 ${pct(1 - v, L)}、取得率 ${cv(c)}）。`,
          `Temperature: most time outside ${T.temperature.min}–${T.temperature.max} °C in ${z}, ${m}: ${pct(v, L)} of the time in use (coverage ${cv(c)}).`,
        ),
    },
    {
      label: t('湿度', 'humidity'),
      value: (f) => (f.humidity.withinShare === null ? null : 1 - f.humidity.withinShare),
      coverage: (f) => f.coverage.humidity,
      text: (z, m, v, c) =>
        t(
          `湿度: 基準（${T.humidity.min}–${T.humidity.max} %）外が最も多いのは ${z} ${m}、使用時間の${pct(v, L)}（基準内 ${pct(1 - v, L)}、取得率 ${cv(c)}）。`,
          `Humidity: most time outside ${T.humidity.min}–${T.humidity.max} % in ${z}, ${m}: ${pct(v, L)} of the time in use (coverage ${cv(c)}).`,
        ),
    },
    {
      label: 'CO2',
      value: (f) =>
        f.co2.daysAbove === null || f.co2.daysMeasured === 0 ? null : f.co2.daysAbove / f.co2.daysMeasured,
      coverage: (f) => f.coverage.co2,
      text: (z, m, v, c) =>
        t(
          `CO2: 使用時間の日平均が${T.co2.max} ppmを超えた日の割合が最も高いのは ${z} ${m}、測定日の${pct(v, L)}（取得率 ${cv(c)}）。`,
          `CO2: highest share of days whose in-use mean exceeded ${T.co2.max} ppm in ${z}, ${m}: ${pct(v, L)} of measured days (coverage ${cv(c)}).`,
        ),
    },
    {
      label: t('照度', 'illuminance'),
      value: (f) => (f.illuminance.atOrAboveShare === null ? null : 1 - f.illuminance.atOrAboveShare),
      coverage: (f) => f.coverage.illuminance,
      text: (z, m, v, c) =>
        t(
          `照度: 目標未満が最も多いのは ${z} ${m}、使用時間の${pct(v, L)}（取得率 ${cv(c)}）。`,
          `Illuminance: most time below target in ${z}, ${m}: ${pct(v, L)} of the time in use (coverage ${cv(c)}).`,
        ),
    },
  ];
  function cv(c: number | null): string {
    return c === null ? '—' : pct(c, L);
  }
  /** A figure that may not apply (null): `—（該当なし）` / `— (n/a)`, never a 0 that reads as a result. */
  const na = (v: number | null, unit: { ja: string; en: string }, digits = 1): string =>
    v === null ? t('—（該当なし）', '— (n/a)') : `${fmt(v, digits, L)}${t(unit.ja, unit.en)}`;
  const naPct = (v: number | null): string => (v === null ? t('—（該当なし）', '— (n/a)') : pct(v, L));
  const HOURS = { ja: ' 時間', en: ' h' };
  const ranked: { distance: number; text: string }[] = [];
  let anyCovered = false;
  for (const m of metrics) {
    let worst: { distance: number; text: string } | undefined;
    for (const z of r.zones)
      for (const mo of months) {
        const f = z.months[mo.index]!;
        const v = m.value(f);
        const c = m.coverage(f);
        if (v === null || c === null || c < r.coverageMin) continue;
        anyCovered = true;
        if (v > 0 && (!worst || v > worst.distance))
          worst = { distance: v, text: m.text(z.name, mo.label, v, c) };
      }
    if (worst) ranked.push(worst);
  }
  ranked.sort((a, b) => b.distance - a.distance);
  out.push(...ranked.map((x) => x.text));
  if (ranked.length === 0 && anyCovered)
    out.push(
      t(
        '使用時間中の温度・湿度・CO2・照度は、データの十分な全ての月で基準内でした。',
        'Temperature, humidity, CO2 and illuminance stayed within their standards in every month with enough data.',
      ),
    );

  // 2. months whose figures are only reference values, by name
  const low: string[] = [];
  for (const z of r.zones)
    for (const m of [...metrics.map((x) => ({ label: x.label, coverage: x.coverage }))]) {
      const names = months
        .map((mo) => ({ mo, c: m.coverage(z.months[mo.index]!) }))
        .filter((x) => x.c !== null && x.c > 0 && x.c < r.coverageMin)
        .map((x) => `${x.mo.label} ${pct(x.c!, L)}`);
      if (names.length > 0) low.push(`${z.name} ${m.label}: ${names.join(t('、', ', '))}`);
    }
  if (low.length > 0) {
    const shown = low.slice(0, 8);
    const more = low.length - shown.length;
    out.push(
      t(
        `データ取得率が${pct(r.coverageMin, L)}未満で参考値のみの月（結果として扱いません。0%の月はデータなし）: ${shown.join('／')}${more > 0 ? `／他${more}件` : ''}。`,
        `Months with coverage under ${pct(r.coverageMin, L)} (reference values only, not results): ${shown.join('; ')}${more > 0 ? `; ${more} more` : ''}.`,
      ),
    );
  }

  // 3. sensors: the worst sensor-month, never "every sensor is complete" while a month is not
  const zoneName = (id: string) => r.zones.find((z) => z.id === id)?.name ?? id;
  let worstSensor: { s: (typeof r.sensors)[number]; month: string; share: number } | undefined;
  let lowSensors = 0;
  for (const s of r.sensors) {
    let lowHere = false;
    for (const mo of months) {
      const share = s.months[mo.index]!.share;
      if (share === null || share >= warnBelow) continue;
      lowHere = true;
      if (!worstSensor || share < worstSensor.share) worstSensor = { s, month: mo.label, share };
    }
    if (lowHere) lowSensors++;
  }
  if (r.sensors.length === 0) out.push(t('センサーのデータがありません。', 'No sensor data.'));
  else if (!worstSensor)
    out.push(
      t(
        `全センサーの各月のデータ取得率が${pct(warnBelow, L)}以上です。`,
        `Every sensor delivered at least ${pct(warnBelow, L)} of expected readings in every month.`,
      ),
    );
  else {
    const w = `${zoneName(worstSensor.s.zone)} ${worstSensor.s.sensor} ${worstSensor.month} ${pct(worstSensor.share, L)}`;
    out.push(
      t(
        `データ取得率が${pct(warnBelow, L)}未満の月があるセンサー: ${lowSensors}台（最低: ${w}）。欠測期間は平均に含めていません。`,
        `${lowSensors} sensor(s) delivered under ${pct(warnBelow, L)} of expected readings in some month (lowest: ${w}); gaps are not averaged over.`,
      ),
    );
  }

  const after = sum(r.zones, (z) => z.year.eco.lightsAfterHoursHours);
  const closed = sum(r.zones, (z) => z.year.eco.lightsClosedDayHours);
  if (after !== null || closed !== null) {
    const top = maxBy(
      r.zones,
      (z) => (z.year.eco.lightsAfterHoursHours ?? 0) + (z.year.eco.lightsClosedDayHours ?? 0),
    );
    out.push(
      t(
        `閉庁時の照明点灯: 時間外 ${na(after, HOURS)}、閉庁日 ${na(closed, HOURS)}${top ? `（最多: ${top.name}）` : ''}。`,
        `Lights on while closed: ${na(after, HOURS)} after hours, ${na(closed, HOURS)} on closed days${top ? ` (most: ${top.name})` : ''}.`,
      ),
    );
  }

  const cool = sum(r.zones, (z) => z.year.eco.overcooledHours);
  const heat = sum(r.zones, (z) => z.year.eco.overheatedHours);
  if (cool !== null || heat !== null) {
    out.push(
      t(
        `冷やし過ぎ（冷房期 ${r.limits.eco.overcoolBelow} °C未満）${na(cool, HOURS)}、暖め過ぎ（暖房期 ${r.limits.eco.overheatAbove} °C超）${na(heat, HOURS)}（ゾーン合計）。`,
        `Over-cooled (below ${r.limits.eco.overcoolBelow} °C in the cooling season) ${na(cool, HOURS)}, over-heated (above ${r.limits.eco.overheatAbove} °C in the heating season) ${na(heat, HOURS)} (all zones).`,
      ),
    );
  }

  const kwh = sum(r.zones, (z) => z.year.eco.energyKwh);
  if (kwh !== null) {
    const metered = r.zones.filter((z) => z.year.eco.energyKwh !== null);
    const comparable = metered.filter((z) => z.year.eco.energyComparable === true);
    const refused = metered.filter((z) => z.year.eco.energyComparable === false);
    const now = sum(comparable, (z) => z.year.eco.energyKwh);
    const prev = sum(comparable, (z) => z.year.eco.energyPrevKwh);
    const covs = (z: ZoneReport) =>
      t(
        `取得率 今年度 ${naPct(z.year.coverage.energy)} / 前年度 ${naPct(z.year.coverage.energyPrev)}`,
        `coverage ${naPct(z.year.coverage.energy)} / previous ${naPct(z.year.coverage.energyPrev)}`,
      );
    const parts: string[] = [];
    if (now !== null && prev !== null && prev > 0)
      parts.push(
        t(
          `前年度同期比 ${signed((now - prev) / prev, L)}（${comparable.map((z) => `${z.name}: ${covs(z)}`).join('、')}）`,
          `${signed((now - prev) / prev, L)} vs the previous year (${comparable.map((z) => `${z.name}: ${covs(z)}`).join(', ')})`,
        ),
      );
    if (refused.length > 0)
      parts.push(
        t(
          `前年度比は比較不可（データ不足、基準 ${pct(r.yoyCoverageMin, L)}）: ${refused.map((z) => `${z.name} ${covs(z)}`).join('、')}`,
          `year-on-year not comparable (insufficient data, needs ${pct(r.yoyCoverageMin, L)}): ${refused.map((z) => `${z.name} ${covs(z)}`).join(', ')}`,
        ),
      );
    if (parts.length === 0) parts.push(t('前年度データなし', 'no previous-year data'));
    out.push(
      t(
        `電力量 ${fmt(kwh, 0, L)} kWh（計測: ${meterText(r.meters, L)}）。${parts.join('。')}。`,
        `Energy ${fmt(kwh, 0, L)} kWh (measured by ${meterText(r.meters, L)}). ${parts.join('. ')}.`,
      ),
    );
  }

  const red = maxBy(r.zones, (z) => z.year.counter.bandHours.red ?? 0);
  if (red && (red.year.counter.bandHours.red ?? 0) > 0) {
    out.push(
      t(
        `待ち時間${r.limits.wait.redFrom}分以上の時間が最も長い窓口: ${red.name} ${fmt(red.year.counter.bandHours.red!, 1, L)} 時間。`,
        `Longest time with waits of ${r.limits.wait.redFrom}+ min: ${red.name} ${fmt(red.year.counter.bandHours.red!, 1, L)} h.`,
      ),
    );
  }

  const total = r.alerts.year.reduce((s, g) => s + g.count, 0);
  const critical = r.alerts.year.filter((g) => g.severity === 'critical').reduce((s, g) => s + g.count, 0);
  out.push(t(`警報 ${total}件（うち重大 ${critical}件）。`, `${total} alert(s) (${critical} critical).`));
  return out;
}

function sum(zones: readonly ZoneReport[], get: (z: ZoneReport) => number | null): number | null {
  let s: number | null = null;
  for (const z of zones) {
    const v = get(z);
    if (v !== null) s = (s ?? 0) + v;
  }
  return s;
}

function maxBy(zones: readonly ZoneReport[], get: (z: ZoneReport) => number): ZoneReport | undefined {
  let best: ZoneReport | undefined;
  for (const z of zones) if (get(z) > 0 && (!best || get(z) > get(best))) best = z;
  return best;
}

function signed(x: number, L: Lang): string {
  return `${x >= 0 ? '+' : '−'}${pct(Math.abs(x), L)}`;
}
