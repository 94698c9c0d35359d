import { type Alert, alertJson } from '../alerts/alert.js';
import { toJstIso } from '../core/jst.js';
import { QUANTITIES, type Quantity, unitOf } from '../core/quantities.js';
import type { Severity } from '../rules/types.js';
import type { Notice, NoticeKind } from './notifier.js';

type Lang = 'ja' | 'en';
type I18n = { ja: string; en: string };

const SEVERITY: Record<Severity, I18n> = {
  info: { ja: '情報', en: 'Info' },
  warning: { ja: '警告', en: 'Warning' },
  critical: { ja: '重大', en: 'Critical' },
};
const KIND_SUFFIX: Record<NoticeKind, I18n> = {
  firing: { ja: '', en: '' },
  reminder: { ja: '・継続中', en: ', still firing' },
  escalated: { ja: '・悪化', en: ', escalated' },
  resolved: { ja: '', en: '' },
};

export interface RenderContext {
  lang: Lang;
  now: number;
  zoneName?: I18n;
  /** base URL for the acknowledge link */
  publicUrl?: string;
}

/**
 * Renders a notice: what, where, how much against which limit, for how long,
 * and how to acknowledge. Japanese by default, e.g.
 * `【警告】1階ロビー CO2 1,250 ppm（基準 1,000 ppm 以下）が15分継続`.
 */
export function renderNotice(a: Alert, kind: NoticeKind, ctx: RenderContext): Notice {
  const { lang, now } = ctx;
  const ja = lang === 'ja';
  const where = ctx.zoneName?.[lang] ?? a.zone;
  const dur = formatDuration((a.resolvedAt ?? now) - a.openedAt, lang);
  const what = describe(a, lang);
  const tag =
    kind === 'resolved'
      ? ja
        ? '【解消】'
        : '[Resolved] '
      : ja
        ? `【${SEVERITY[a.severity].ja}${KIND_SUFFIX[kind].ja}】`
        : `[${SEVERITY[a.severity].en}${KIND_SUFFIX[kind].en}] `;
  let title: string;
  if (kind === 'resolved') {
    const peak =
      a.kind === 'empty_zone' || a.quantity === 'lights'
        ? ''
        : ja
          ? `最大 ${valueText(a, a.peak, lang)}、`
          : `peak ${valueText(a, a.peak, lang)}, `;
    title = ja
      ? `${tag}${where} ${what.label} 回復（${peak}${dur}継続）`
      : `${tag}${where}: ${what.label} back to normal (${peak}lasted ${dur})`;
  } else {
    title = ja ? `${tag}${where} ${what.line}が${dur}継続` : `${tag}${where}: ${what.line} for ${dur}`;
  }
  const ackUrl = ctx.publicUrl ? `${ctx.publicUrl.replace(/\/+$/, '')}/api/alerts/${a.id}/ack` : undefined;
  const ackPath = ackUrl ?? `/api/alerts/${a.id}/ack`;
  const lines = ja
    ? [
        title,
        `場所: ${where}${a.sensor ? `（センサー ${a.sensor}）` : ''}`,
        `現在値: ${valueText(a, a.value, lang)} / 最大: ${valueText(a, a.peak, lang)} / 基準: ${what.limit || '—'}`,
        `発生: ${toJstIso(a.openedAt).slice(0, 16).replace('T', ' ')}（${dur}継続）`,
        `ルール: ${a.ruleId}（アラート #${a.id}）`,
      ]
    : [
        title,
        `Where: ${where}${a.sensor ? ` (sensor ${a.sensor})` : ''}`,
        `Now: ${valueText(a, a.value, lang)} / peak: ${valueText(a, a.peak, lang)} / limit: ${what.limit || '—'}`,
        `Since: ${toJstIso(a.openedAt).slice(0, 16).replace('T', ' ')} JST (${dur})`,
        `Rule: ${a.ruleId} (alert #${a.id})`,
      ];
  if (a.ackedAt !== undefined) {
    const at = toJstIso(a.ackedAt).slice(0, 16).replace('T', ' ');
    lines.push(
      ja ? `確認済み: ${a.ackedBy ?? '—'}（${at}）` : `Acknowledged by ${a.ackedBy ?? '—'} at ${at} JST`,
    );
  } else if (kind !== 'resolved') {
    lines.push(
      ja
        ? `確認（応答）: curl -X POST -H "Authorization: Bearer <管理トークン>" ${ackPath}`
        : `Acknowledge: curl -X POST -H "Authorization: Bearer <admin token>" ${ackPath}`,
    );
  }
  return {
    kind,
    lang,
    title,
    text: lines.join('\n'),
    ...(ackUrl ? { ackUrl } : {}),
    alert: alertJson(a, now, ctx.zoneName),
  };
}

/** The "what": a label (for resolved notices), the firing line, and the limit text. */
function describe(a: Alert, lang: Lang): { label: string; line: string; limit: string } {
  const ja = lang === 'ja';
  const q = a.quantity;
  const qName = q ? QUANTITIES[q][lang] : '';
  const title = a.title?.[lang];
  if (a.kind === 'stale') {
    const limit = a.limit.staleMs === undefined ? '' : formatDuration(a.limit.staleMs, lang);
    const label = ja ? `センサー ${a.sensor} 受信` : `sensor ${a.sensor} reporting`;
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
  const label = title ? `${title}: ${qName}` : qName;
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
