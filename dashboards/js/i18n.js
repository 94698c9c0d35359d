/**
 * The wall's words in Japanese (default) and English, and the quantities'
 * labels, units and decimals. QUANTITIES mirrors src/core/quantities.ts
 * (test/browser/pure.test.ts fails when they drift apart).
 */

/** @typedef {'ja' | 'en'} Lang */

export const QUANTITIES = {
  temperature: { ja: '温度', en: 'Temperature', unit: '°C', decimals: 1 },
  humidity: { ja: '湿度', en: 'Humidity', unit: '%', decimals: 0 },
  co2: { ja: 'CO2', en: 'CO2', unit: 'ppm', decimals: 0 },
  illuminance: { ja: '照度', en: 'Illuminance', unit: 'lx', decimals: 0 },
  lights: { ja: '照明', en: 'Lights', unit: '', decimals: 0 },
  occupancy: { ja: '在室人数', en: 'Occupancy', unit: '人', decimals: 0 },
  waiting: { ja: '待ち人数', en: 'Waiting', unit: '人', decimals: 0 },
  wait_minutes: { ja: '待ち時間', en: 'Wait', unit: '分', decimals: 0 },
  serving: { ja: '呼出番号', en: 'Now serving', unit: '番', decimals: 0 },
  issued: { ja: '発券番号', en: 'Last ticket issued', unit: '番', decimals: 0 },
  power: { ja: '電力', en: 'Power', unit: 'W', decimals: 0 },
  energy: { ja: '電力量', en: 'Energy', unit: 'kWh', decimals: 1 },
};

/** English units where the Japanese one is a word */
const EN_UNITS = { occupancy: 'people', waiting: 'people', wait_minutes: 'min', serving: '', issued: '' };

const DICT = {
  ja: {
    status_ok: '快適',
    status_caution: '注意',
    status_out: '基準外',
    status_nodata: 'データなし',
    status_closed: '閉庁中',
    status_protection: '建物保全',
    status_stale: '受信途絶',
    status_offline: 'オフライン',
    eco: '省エネ逸脱',
    eco_short: 'ECO',
    lights_on: '点灯',
    lights_off: '消灯',
    last_seen: '最終受信',
    seen_ago: '最終受信 {age}前',
    legend: '凡例',
    offline: 'オフライン',
    stale_note: '古いデータ',
    counters: '窓口の混雑',
    waiting: '待ち人数',
    wait: '待ち時間',
    people: '人',
    minutes: '分',
    band_blue: '20分未満',
    band_yellow: '20〜40分',
    band_red: '40分以上',
    band_none: '待ち時間不明',
    serving: '呼出番号',
    ticket_unit: '番',
    counter_closed: '受付時間外',
    next_open: '次の受付 {when}',
    alerts: 'アラート',
    alerts_none: '現在アラートはありません',
    alerts_unavailable: 'アラート機能は利用できません',
    alerts_more: '他 {n} 件',
    acked: '対応中',
    acked_by: '対応中：{who}',
    not_acked: '未対応',
    since: '{age}前から',
    ago: '{age}前',
    live_lost: 'ライブ接続が切れました。再接続しています…',
    live_since: '（{time} から）',
    trend: '過去{h}時間',
    sev_critical: '緊急',
    sev_warning: '警告',
    sev_info: '情報',
    loading: '読み込み中…',
    layout_error: 'レイアウトを読み込めません：{name}',
    unit_min: '分',
    unit_hour: '時間',
    unit_day: '日',
    unit_sec: '秒',
  },
  en: {
    status_ok: 'Comfortable',
    status_caution: 'Caution',
    status_out: 'Out of range',
    status_nodata: 'No data',
    status_closed: 'Closed',
    status_protection: 'Protection',
    status_stale: 'Not reporting',
    status_offline: 'Offline',
    eco: 'Energy waste',
    eco_short: 'ECO',
    lights_on: 'On',
    lights_off: 'Off',
    last_seen: 'Last seen',
    seen_ago: 'seen {age} ago',
    legend: 'Key',
    offline: 'Offline',
    stale_note: 'Old data',
    counters: 'Counter queues',
    waiting: 'Waiting',
    wait: 'Wait',
    people: 'people',
    minutes: 'min',
    band_blue: 'under 20 min',
    band_yellow: '20–40 min',
    band_red: '40 min or more',
    band_none: 'wait unknown',
    serving: 'Serving',
    ticket_unit: '',
    counter_closed: 'Closed',
    next_open: 'Opens {when}',
    alerts: 'Alerts',
    alerts_none: 'No active alerts',
    alerts_unavailable: 'Alerts are not available',
    alerts_more: '{n} more',
    acked: 'Acknowledged',
    acked_by: 'Ack: {who}',
    not_acked: 'Not acknowledged',
    since: 'for {age}',
    ago: '{age} ago',
    live_lost: 'Live connection lost. Reconnecting…',
    live_since: ' (since {time})',
    trend: 'last {h} h',
    sev_critical: 'Critical',
    sev_warning: 'Warning',
    sev_info: 'Info',
    loading: 'Loading…',
    layout_error: 'Cannot load layout: {name}',
    unit_min: ' min',
    unit_hour: ' h',
    unit_day: ' d',
    unit_sec: ' s',
  },
};

/** @param {string | null} v @returns {Lang} */
export function pickLang(v) {
  return v === 'en' ? 'en' : 'ja';
}

/**
 * A translator for one language; `{name}` placeholders are filled from vars.
 * @param {Lang} lang
 * @returns {(key: string, vars?: Record<string, string | number>) => string}
 */
export function translator(lang) {
  const dict = DICT[lang];
  return (key, vars) => {
    const s = dict[key] ?? DICT.ja[key] ?? key;
    return vars ? s.replace(/\{(\w+)\}/g, (_, k) => String(vars[k] ?? '')) : s;
  };
}

/** @param {string} q @param {Lang} lang */
export function quantityLabel(q, lang) {
  return QUANTITIES[q]?.[lang] ?? q;
}

/** @param {string} q @param {Lang} lang */
export function quantityUnit(q, lang) {
  if (lang === 'en' && EN_UNITS[q]) return EN_UNITS[q];
  return QUANTITIES[q]?.unit ?? '';
}

/** A display name {ja, en} in the page's language. @param {{ja: string, en: string} | undefined} n @param {Lang} lang */
export function nameIn(n, lang) {
  return n ? (n[lang] ?? n.ja) : '';
}

export const DICTIONARIES = DICT;
