import { fmt, type Lang, pct } from './labels.js';
import type { Report, ZoneReport } from './types.js';

/**
 * The main findings for the first sheet: short sentences computed from the
 * report's year figures (never new numbers), most important first.
 */
export function findings(r: Report, warnBelow: number): string[] {
  const L = r.language;
  const t = (ja: string, en: string) => (L === 'ja' ? ja : en);
  const out: string[] = [];
  const zoneName = (id: string) => r.zones.find((z) => z.id === id)?.name ?? id;

  const low = r.sensors.filter((s) => s.year.share !== null && s.year.share < warnBelow);
  if (r.sensors.length === 0) out.push(t('センサーのデータがありません。', 'No sensor data.'));
  else if (low.length === 0)
    out.push(
      t(
        `全センサーのデータ取得率が${pct(warnBelow, L)}以上です。`,
        `Every sensor delivered at least ${pct(warnBelow, L)} of expected readings.`,
      ),
    );
  else {
    const worst = low.reduce((a, b) => (a.year.share! <= b.year.share! ? a : b));
    const w = `${zoneName(worst.zone)} ${worst.sensor} ${pct(worst.year.share!, L)}`;
    out.push(
      t(
        `データ取得率が${pct(warnBelow, L)}未満のセンサーが${low.length}台あります（最低: ${w}）。欠測期間は平均に含めていません。`,
        `${low.length} sensor(s) delivered under ${pct(warnBelow, L)} of expected readings (lowest: ${w}); gaps are not averaged over.`,
      ),
    );
  }

  const temp = r.zones.filter(
    (z) => z.year.temperature.withinShare !== null && z.year.temperature.withinShare < 0.9,
  );
  const range = `${r.limits.temperature.min}–${r.limits.temperature.max} °C`;
  if (temp.length > 0) {
    const list = temp.map((z) => `${z.name} ${pct(z.year.temperature.withinShare!, L)}`).join(t('、', ', '));
    out.push(
      t(
        `開庁時間に温度が基準（${range}）内だった割合が90%未満: ${list}。`,
        `Temperature within ${range} for under 90% of opening hours: ${list}.`,
      ),
    );
  }

  const co2 = r.zones.filter((z) => (z.year.co2.daysAbove ?? 0) > 0);
  const co2Max = r.limits.co2.max;
  if (co2.length > 0) {
    const list = co2.map((z) => `${z.name} ${z.year.co2.daysAbove}${t('日', ' d')}`).join(t('、', ', '));
    out.push(
      t(
        `CO2の日平均（開庁時間）が${co2Max} ppmを超えた日: ${list}。`,
        `Days with daily mean CO2 (opening hours) above ${co2Max} ppm: ${list}.`,
      ),
    );
  } else if (r.zones.some((z) => z.year.co2.daysMeasured > 0)) {
    out.push(
      t(`CO2の日平均が${co2Max} ppmを超えた日はありません。`, `No day's mean CO2 exceeded ${co2Max} ppm.`),
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
        `閉庁時の照明点灯: 時間外 ${fmt(after ?? 0, 1, L)} 時間、閉庁日 ${fmt(closed ?? 0, 1, L)} 時間${top ? `（最多: ${top.name}）` : ''}。`,
        `Lights on while closed: ${fmt(after ?? 0, 1, L)} h after hours, ${fmt(closed ?? 0, 1, L)} h on closed days${top ? ` (most: ${top.name})` : ''}.`,
      ),
    );
  }

  const cool = sum(r.zones, (z) => z.year.eco.overcooledHours);
  const heat = sum(r.zones, (z) => z.year.eco.overheatedHours);
  if (cool !== null || heat !== null) {
    out.push(
      t(
        `冷やし過ぎ（冷房期 ${r.limits.eco.overcoolBelow} °C未満）${fmt(cool ?? 0, 1, L)} 時間、暖め過ぎ（暖房期 ${r.limits.eco.overheatAbove} °C超）${fmt(heat ?? 0, 1, L)} 時間（ゾーン合計）。`,
        `Over-cooled (below ${r.limits.eco.overcoolBelow} °C in the cooling season) ${fmt(cool ?? 0, 1, L)} h, over-heated (above ${r.limits.eco.overheatAbove} °C) ${fmt(heat ?? 0, 1, L)} h (all zones).`,
      ),
    );
  }

  const kwh = sum(r.zones, (z) => z.year.eco.energyKwh);
  if (kwh !== null) {
    const comparable = r.zones.filter(
      (z) => z.year.eco.energyKwh !== null && z.year.eco.energyPrevKwh !== null,
    );
    const now = sum(comparable, (z) => z.year.eco.energyKwh);
    const prev = sum(comparable, (z) => z.year.eco.energyPrevKwh);
    const change =
      now !== null && prev !== null && prev > 0
        ? t(
            `前年度同期比 ${signed((now - prev) / prev, L)}`,
            `${signed((now - prev) / prev, L)} vs the previous year`,
          )
        : t('前年度データなし', 'no previous-year data');
    out.push(t(`電力量 ${fmt(kwh, 0, L)} kWh（${change}）。`, `Energy ${fmt(kwh, 0, L)} kWh (${change}).`));
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
