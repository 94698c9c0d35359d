import { type Alert, alertJson } from '../alerts/alert.js';
import { type Silence, silenceJson } from '../alerts/silences.js';
import { jstParts } from '../core/jst.js';
import { QUANTITIES, type Quantity, unitOf } from '../core/quantities.js';
import type { Severity } from '../rules/types.js';
import { adviceFor, isLow } from './advice.js';
import type { AlertNoticeKind, Notice } from './notifier.js';

type Lang = 'ja' | 'en';
type I18n = { ja: string; en: string };

const SEVERITY: Record<Severity, I18n> = {
  info: { ja: '情報', en: 'Info' },
  warning: { ja: '警告', en: 'Warning' },
  critical: { ja: '重大', en: 'Critical' },
};
const KIND_SUFFIX: Record<AlertNoticeKind, I18n> = {
  firing: { ja: '', en: '' },
  reminder: { ja: '・継続中', en: ', still firing' },
  escalated: { ja: '・悪化', en: ', escalated' },
  resolved: { ja: '', en: '' },
};
const WEEKDAYS_JA = ['日', '月', '火', '水', '木', '金', '土'];
const WEEKDAYS_EN = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

export interface RenderContext {
  lang: Lang;
  now: number;
  zoneName?(zone: string): I18n | undefined;
  /** the signed alert-page link for these alerts */
  pageUrl?(ids: readonly number[]): string | undefined;
  /** the wall dashboard */
  wallUrl?: string;
}

/**
 * Renders a notice about one alert or a group of alerts of one rule: what,
 * where (zone names), value against the limit, since when, what to do, then
 * the alert page and the wall; internal ids last. Japanese by default, e.g.
 * `【警告】1階ロビー CO2 1,250 ppm（基準 1,000 ppm 以下）が15分継続`.
 */
export function renderNotice(alerts: readonly Alert[], kind: AlertNoticeKind, ctx: RenderContext): Notice {
  const a = alerts[0]!;
  const { lang, now } = ctx;
  const ja = lang === 'ja';
  const tag =
    kind === 'resolved'
      ? ja
        ? '【解消】'
        : '[Resolved] '
      : ja
        ? `【${SEVERITY[worst(alerts)].ja}${KIND_SUFFIX[kind].ja}】`
        : `[${SEVERITY[worst(alerts)].en}${KIND_SUFFIX[kind].en}] `;
  const what = describe(a, lang);
  const lines: string[] = [];
  let title: string;
  if (alerts.length === 1) {
    const where = zoneText(a, ctx);
    const dur = formatDuration((a.resolvedAt ?? now) - a.openedAt, lang);
    const extreme = extremeText(a, lang);
    if (kind === 'resolved') {
      title = ja
        ? `${tag}${where} ${what.label} 回復（${extreme ? `${extreme}、` : ''}${dur}継続）`
        : `${tag}${where}: ${what.label} back to normal (${extreme ? `${extreme}, ` : ''}lasted ${dur})`;
      lines.push(title, ja ? `場所: ${where}` : `Where: ${where}`);
    } else {
      // A rule without a pending period fires at once: "が0秒継続" would read oddly.
      const short = a.kind === 'calibration' || (a.resolvedAt ?? now) - a.openedAt < 60_000;
      title = ja
        ? `${tag}${where} ${what.line}${short ? '' : `が${dur}継続`}`
        : `${tag}${where}: ${what.line}${short ? '' : ` for ${dur}`}`;
      lines.push(
        title,
        ja ? `場所: ${where}` : `Where: ${where}`,
        ja
          ? `内容: ${what.line}${extreme ? `・${extreme}` : ''}`
          : `What: ${what.line}${extreme ? `; ${extreme}` : ''}`,
        ja
          ? `発生: ${when(a.openedAt, lang)} から${short ? '' : `（${dur}継続）`}`
          : `Since: ${when(a.openedAt, lang)}${short ? '' : ` (${dur})`}`,
      );
    }
  } else {
    const names = alerts.map((x) => zoneText(x, ctx));
    const list = names.join(ja ? '、' : ', ');
    title =
      kind === 'resolved'
        ? ja
          ? `${tag}${what.label} 回復 ${alerts.length}か所: ${list}`
          : `${tag}${what.label} back to normal in ${alerts.length} zones: ${list}`
        : ja
          ? `${tag}${what.label} 基準外 ${alerts.length}か所: ${list}`
          : `${tag}${what.label} out of limits in ${alerts.length} zones: ${list}`;
    lines.push(title, ja ? '場所と値:' : 'Where and how much:');
    for (const x of alerts) {
      const extreme = extremeText(x, lang);
      const v = valueText(x, x.value, lang);
      lines.push(
        kind === 'resolved'
          ? ja
            ? `・${zoneText(x, ctx)}（${extreme ? `${extreme}、` : ''}${formatDuration((x.resolvedAt ?? now) - x.openedAt, lang)}継続）`
            : `• ${zoneText(x, ctx)} (${extreme ? `${extreme}, ` : ''}lasted ${formatDuration((x.resolvedAt ?? now) - x.openedAt, lang)})`
          : ja
            ? `・${zoneText(x, ctx)} ${v}${extreme ? `（${extreme}）` : ''} ${clock(x.openedAt)} から`
            : `• ${zoneText(x, ctx)} ${v}${extreme ? ` (${extreme})` : ''} since ${clock(x.openedAt)}`,
      );
    }
    if (kind !== 'resolved' && what.limit) lines.push(ja ? `基準: ${what.limit}` : `Limit: ${what.limit}`);
  }
  for (const x of alerts.filter((y) => y.ackedAt !== undefined))
    lines.push(ackLine(x, lang, alerts.length > 1 ? zoneText(x, ctx) : undefined));
  if (kind !== 'resolved') {
    const advice = adviceFor(a);
    if (advice) lines.push(ja ? `対応: ${advice.ja}` : `What to do: ${advice.en}`);
  }
  return finish(lines, title, kind, alerts, ctx);
}

/** 「施設係 山田さんが確認しました」 on the channels that got the alert. */
export function renderAck(a: Alert, ctx: RenderContext): Notice {
  const ja = ctx.lang === 'ja';
  const who = person(a.ackedBy ?? '—', ctx.lang);
  const where = zoneText(a, ctx);
  const what = describe(a, ctx.lang).label;
  const title = ja
    ? `【確認】${where} ${what}: ${who}が確認しました`
    : `[Acknowledged] ${where}: ${what} — acknowledged by ${who}`;
  const lines = [title];
  if (a.ackComment) lines.push(ja ? `コメント: ${a.ackComment}` : `Comment: ${a.ackComment}`);
  if (a.ackedAt !== undefined)
    lines.push(ja ? `確認: ${when(a.ackedAt, 'ja')}` : `At: ${when(a.ackedAt, 'en')}`);
  const n = finish(lines, title, 'acknowledged', [a], ctx);
  return {
    ...n,
    ...(a.ackedBy ? { by: a.ackedBy } : {}),
    ...(a.ackComment ? { comment: a.ackComment } : {}),
  };
}

/** 「【通知停止】1階ロビー（センサー env-1）の通知を …まで止めます（山田さん）」; `alerts` (at least one) are those it was set from. */
export function renderSilence(s: Silence, alerts: readonly Alert[], ctx: RenderContext): Notice {
  const ja = ctx.lang === 'ja';
  const zone = ctx.zoneName?.(s.zone)?.[ctx.lang] ?? s.zone;
  const target =
    s.scope === 'zone' ? zone : ja ? `${zone}（センサー ${s.sensor}）` : `${zone} (sensor ${s.sensor})`;
  const who = person(s.by, ctx.lang);
  const until = when(s.until, ctx.lang);
  const title = ja
    ? `【通知停止】${target} の通知を ${until} まで止めます（${who}）`
    : `[Silenced] ${target}: notices off until ${until} (${who})`;
  const lines = [title, ja ? `理由: ${s.reason}` : `Reason: ${s.reason}`];
  lines.push(
    ja
      ? '停止中も壁面とアラートページには表示されます。時間が来ると自動で再開します。'
      : 'The wall and the alert page still show it; notices resume by themselves when it ends.',
  );
  lines.push(
    ja
      ? '建物保全の重大アラートは通知を止めても届きます（建物保全・重大のアラートは停止の対象外です）。'
      : 'Building-protection and critical alerts still get through while notices are silenced.',
  );
  const n = finish(lines, title, 'silenced', alerts, ctx);
  return { ...n, by: s.by, comment: s.reason, silence: silenceJson(s, ctx.now) };
}

function finish(
  lines: string[],
  title: string,
  kind: Notice['kind'],
  alerts: readonly Alert[],
  ctx: RenderContext,
): Notice {
  const ja = ctx.lang === 'ja';
  const url = alerts.length ? ctx.pageUrl?.(alerts.map((x) => x.id)) : undefined;
  const resolved = kind === 'resolved';
  if (url)
    lines.push(
      resolved
        ? `${ja ? '▶ アラートを開く' : '▶ Open the alert'}: ${url}`
        : `${ja ? '▶ アラートを開く・確認' : '▶ Open and acknowledge'}: ${url}`,
    );
  if (ctx.wallUrl) lines.push(`${ja ? '▶ 壁面ダッシュボード' : '▶ Wall dashboard'}: ${ctx.wallUrl}`);
  const a = alerts[0]!;
  const ids = alerts.map((x) => `#${x.id}`).join(', ');
  const sensors = [...new Set(alerts.map((x) => x.sensor).filter((x): x is string => !!x))];
  lines.push(
    ja
      ? `（${sensors.length ? `センサー ${sensors.join(', ')}・` : ''}ルール ${a.ruleId}・${ids}）`
      : `(${sensors.length ? `sensor ${sensors.join(', ')}; ` : ''}rule ${a.ruleId}; ${ids})`,
  );
  const json = alerts.map((x) => alertJson(x, ctx.now, ctx.zoneName?.(x.zone)));
  return {
    kind,
    lang: ctx.lang,
    title,
    text: lines.join('\n'),
    ...(url ? { url } : {}),
    ...(ctx.wallUrl ? { wallUrl: ctx.wallUrl } : {}),
    alert: json[0]!,
    alerts: json,
  };
}

function worst(alerts: readonly Alert[]): Severity {
  const rank: Record<Severity, number> = { info: 0, warning: 1, critical: 2 };
  return alerts.reduce<Severity>((w, x) => (rank[x.severity] > rank[w] ? x.severity : w), 'info');
}

function zoneText(a: Alert, ctx: RenderContext): string {
  return ctx.zoneName?.(a.zone)?.[ctx.lang] ?? a.zone;
}

/** `山田さん`, keeping a name that already has an honorific or a title. */
function person(name: string, lang: Lang): string {
  if (lang !== 'ja') return name;
  return /(さん|様|さま|係|課|室|担当|admin)$/.test(name) ? name : `${name}さん`;
}

function ackLine(a: Alert, lang: Lang, where?: string): string {
  const at = a.ackedAt === undefined ? '' : when(a.ackedAt, lang);
  const who = person(a.ackedBy ?? '—', lang);
  return lang === 'ja'
    ? `確認済み: ${where ? `${where} ` : ''}${who}（${at}）`
    : `Acknowledged${where ? ` (${where})` : ''} by ${who} at ${at}`;
}

/** The worst value of the incident: the highest for an above-limit alert, the lowest for a below-limit one. */
function extremeText(a: Alert, lang: Lang): string {
  if (
    a.kind === 'empty_zone' ||
    a.kind === 'stale' ||
    a.kind === 'offline' ||
    a.kind === 'calibration' ||
    a.quantity === 'lights'
  )
    return '';
  if (!Number.isFinite(a.peak)) return '';
  const low = isLow(a);
  const v = valueText(a, a.peak, lang);
  return lang === 'ja' ? `${low ? '最低' : '最高'} ${v}` : `${low ? 'lowest' : 'peak'} ${v}`;
}

/** `11月10日(火) 10:05` / `Tue 10 Nov 10:05 JST`, always JST. */
export function when(ts: number, lang: Lang): string {
  const p = jstParts(ts);
  return lang === 'ja'
    ? `${p.month}月${p.day}日(${WEEKDAYS_JA[p.weekday]}) ${clock(ts)}`
    : `${WEEKDAYS_EN[p.weekday]} ${p.day}/${p.month} ${clock(ts)} JST`;
}

function clock(ts: number): string {
  const p = jstParts(ts);
  return `${String(p.hour).padStart(2, '0')}:${String(p.minute).padStart(2, '0')}`;
}

/** The "what": a label (for resolved notices and groups), the firing line, and the limit text. */
function describe(a: Alert, lang: Lang): { label: string; line: string; limit: string } {
  const ja = lang === 'ja';
  const q = a.quantity;
  const qName = q ? QUANTITIES[q][lang] : '';
  const title = a.title?.[lang];
  if (a.kind === 'calibration') {
    // the title carries the difference and the tolerance (src/alerts/calibration.ts)
    const label = ja ? `${qName}センサーの校正` : `${qName} sensor calibration`;
    return { label, line: title ?? label, limit: '' };
  }
  if (a.kind === 'offline') {
    const label = ja ? 'センサー接続' : 'sensor connection';
    return {
      label,
      line: ja ? `センサー ${a.sensor} がオフライン` : `sensor ${a.sensor} is offline`,
      limit: '',
    };
  }
  if (a.kind === 'stale') {
    const limit = a.limit.staleMs === undefined ? '' : formatDuration(a.limit.staleMs, lang);
    const label = ja ? 'センサー受信' : 'sensor reporting';
    const line = ja
      ? `センサー ${a.sensor} から受信なし（基準 ${limit}以内）`
      : `no data from sensor ${a.sensor} (limit ${limit})`;
    return { label, line, limit };
  }
  if (a.kind === 'empty_zone' || q === 'lights') {
    const label = title ?? (ja ? '照明' : 'lights');
    return { label, line: title ?? (ja ? '照明点灯' : 'lights on'), limit: '' };
  }
  const limit = limitText(a, lang);
  const avg = a.kind === 'day_average' ? (ja ? '本日平均 ' : "today's mean ") : '';
  // 「建物保全（温度）」 already names the quantity: no 「: 温度」 after it
  const label = title ? (qName && !title.includes(qName) ? `${title}: ${qName}` : title) : qName;
  const line = ja
    ? `${label} ${avg}${valueText(a, a.value, lang)}（基準 ${limit}）`
    : `${label} ${avg}${valueText(a, a.value, lang)} (limit ${limit})`;
  return { label, line, limit };
}

function limitText(a: Alert, lang: Lang): string {
  const ja = lang === 'ja';
  const { above, below, inclusive } = a.limit;
  const v = (x: number) => valueText(a, x, lang);
  const dayAvg = a.kind === 'day_average' ? (ja ? '日平均 ' : 'daily mean ') : '';
  if (above !== undefined && below !== undefined) {
    return ja
      ? `${dayAvg}${number(below, a.quantity)}〜${v(above)}`
      : `${dayAvg}${number(below, a.quantity)}–${v(above)}`;
  }
  if (above !== undefined)
    return ja
      ? `${dayAvg}${v(above)} ${inclusive ? '未満' : '以下'}`
      : `${dayAvg}${inclusive ? '<' : '≤'} ${v(above)}`;
  if (below !== undefined)
    return ja
      ? `${dayAvg}${v(below)} ${inclusive ? '超' : '以上'}`
      : `${dayAvg}${inclusive ? '>' : '≥'} ${v(below)}`;
  return '';
}

/** `1,250 ppm`, `24.5 °C`, `25分`; stale alerts are minutes of silence. */
export function valueText(a: Pick<Alert, 'kind' | 'quantity'>, x: number, lang: Lang): string {
  if (!Number.isFinite(x)) return '—';
  if (a.kind === 'stale') return formatDuration(x * 60_000, lang);
  if (a.kind === 'empty_zone' || a.quantity === 'lights') {
    return lang === 'ja' ? (x >= 0.5 ? '点灯' : '消灯') : x >= 0.5 ? 'on' : 'off';
  }
  const q = a.quantity;
  if (!q) return number(x, q);
  const unit = lang === 'ja' ? QUANTITIES[q].unit : unitOf(q);
  const tight = lang === 'ja' && (unit === '人' || unit === '分');
  return `${number(x, q)}${unit ? (tight ? unit : ` ${unit}`) : ''}`;
}

function number(x: number, q: Quantity | undefined): string {
  const decimals = q ? QUANTITIES[q].decimals : 1;
  return x.toLocaleString('ja-JP', { maximumFractionDigits: decimals, minimumFractionDigits: decimals });
}

/** `15分`, `1時間20分`, `2日3時間` / `15 min`, `1 h 20 min`, `2 d 3 h`. */
export function formatDuration(ms: number, lang: Lang): string {
  if (ms > 0 && ms < 60_000)
    return lang === 'ja' ? `${Math.round(ms / 1000)}秒` : `${Math.round(ms / 1000)} s`;
  const totalMin = Math.max(0, Math.round(ms / 60_000));
  const d = Math.floor(totalMin / 1440);
  const h = Math.floor((totalMin % 1440) / 60);
  const m = totalMin % 60;
  if (lang === 'ja') {
    if (d > 0) return `${d}日${h > 0 ? `${h}時間` : ''}`;
    if (h > 0) return `${h}時間${m > 0 ? `${m}分` : ''}`;
    return `${m}分`;
  }
  if (d > 0) return `${d} d${h > 0 ? ` ${h} h` : ''}`;
  if (h > 0) return `${h} h${m > 0 ? ` ${m} min` : ''}`;
  return `${m} min`;
}
