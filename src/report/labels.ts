/** Display words of the report in both languages; one place so renderers agree. */
export type Lang = 'ja' | 'en';

const CATEGORIES: Record<string, { ja: string; en: string }> = {
  comfort: { ja: '快適性', en: 'Comfort' },
  protection: { ja: '建物保全', en: 'Building protection' },
  eco: { ja: '省エネ', en: 'Eco' },
  service: { ja: '窓口サービス', en: 'Service' },
  sensor: { ja: 'センサー', en: 'Sensor' },
  system: { ja: 'システム', en: 'System' },
};
const SEVERITIES: Record<string, { ja: string; en: string }> = {
  critical: { ja: '重大', en: 'Critical' },
  warning: { ja: '警告', en: 'Warning' },
  info: { ja: '情報', en: 'Info' },
};

export function categoryLabel(c: string, lang: Lang): string {
  return CATEGORIES[c]?.[lang] ?? c;
}

export function severityLabel(s: string, lang: Lang): string {
  return SEVERITIES[s]?.[lang] ?? s;
}

/** Words used in several renderers. */
export const WORDS = {
  title: { ja: '環境・省エネ年度報告', en: 'Environment & energy report' },
  yearTotal: { ja: '年度計', en: 'Year' },
  toDate: { ja: '年度累計（途中）', en: 'Year to date' },
  period: { ja: '対象期間', en: 'Period' },
  generated: { ja: '作成日時', en: 'Generated' },
  findings: { ja: '主な所見', en: 'Main findings' },
  openingHours: { ja: '開庁時間', en: 'Opening hours' },
  noData: { ja: 'データなし', en: 'no data' },
  legend: {
    ja: '灰色の数値はデータ取得率（データのある時間 ÷ 使用時間）が基準未満の参考値で、結果ではありません。— は該当なし、空欄はデータなし。',
    en: 'Grey figures have coverage (hours with data ÷ hours in use) below the threshold: reference values, not results. — not applicable; blank: no data.',
  },
  meters: { ja: '電力量の計測', en: 'Energy measured by' },
} as const;

/** `meter-1（ロビー）、…` — the meters behind the energy figures and the zones they cover. */
export function meterText(
  meters: readonly { zoneName: string; sensor: string; quantity: string }[],
  lang: Lang,
): string {
  if (meters.length === 0) return lang === 'ja' ? '電力量計なし' : 'no energy meter';
  const list = meters.map((m) =>
    lang === 'ja'
      ? `${m.sensor}（${m.zoneName}${m.quantity === 'power' ? '、電力から推計' : ''}）`
      : `${m.sensor} (${m.zoneName}${m.quantity === 'power' ? ', from power' : ''})`,
  );
  return list.join(lang === 'ja' ? '、' : ', ');
}

export function word(k: keyof typeof WORDS, lang: Lang): string {
  return WORDS[k][lang];
}

/** `1,234.5` with at most `digits` decimals. */
export function fmt(v: number, digits = 1, lang: Lang = 'ja'): string {
  return v.toLocaleString(lang === 'ja' ? 'ja-JP' : 'en-US', { maximumFractionDigits: digits });
}

export function pct(v: number, lang: Lang = 'ja'): string {
  return `${fmt(v * 100, 1, lang)}%`;
}

/** `2026年度（令和8年度） 2026年4月1日 〜 2027年3月31日` — the span of a report, in JST. */
export function periodText(r: {
  fyLabel: string;
  reiwaLabel: string;
  from: number;
  to: number;
  language: Lang;
}): string {
  const day = (ts: number) => {
    const d = new Date(ts + 9 * 3_600_000);
    const [y, m, dd, h, mi] = [
      d.getUTCFullYear(),
      d.getUTCMonth() + 1,
      d.getUTCDate(),
      d.getUTCHours(),
      d.getUTCMinutes(),
    ];
    const time = h === 0 && mi === 0 ? '' : ` ${String(h).padStart(2, '0')}:${String(mi).padStart(2, '0')}`;
    return r.language === 'ja'
      ? `${y}年${m}月${dd}日${time}`
      : `${y}-${String(m).padStart(2, '0')}-${String(dd).padStart(2, '0')}${time}`;
  };
  // the end is exclusive: a span ending at JST midnight is shown as ending on the day before
  const endsAtMidnight = (r.to + 9 * 3_600_000) % 86_400_000 === 0;
  const end = endsAtMidnight ? day(r.to - 86_400_000) : `${day(r.to)}${r.language === 'ja' ? ' まで' : ''}`;
  return r.language === 'ja'
    ? `${r.fyLabel}（${r.reiwaLabel}） ${day(r.from)} 〜 ${end}（日本時間）`
    : `${r.fyLabel} (${r.reiwaLabel}) ${day(r.from)} – ${end} JST`;
}

/** ISO-like JST timestamp for "generated at". */
export function jstStamp(ts: number): string {
  return `${new Date(ts + 9 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ')} JST`;
}
