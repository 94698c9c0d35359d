/**
 * The canonical quantities of the public contract (DESIGN §4): name, unit,
 * plausible physical range and display labels. A value outside its plausible
 * range is an impossible reading (a broken sensor or a unit mix-up) and is
 * rejected at ingest; comfort limits live in the rules, not here.
 */
export const QUANTITIES = {
  temperature: { unit: '°C', min: -40, max: 85, ja: '温度', en: 'Temperature', decimals: 1 },
  humidity: { unit: '%', min: 0, max: 100, ja: '湿度', en: 'Humidity', decimals: 0 },
  co2: { unit: 'ppm', min: 0, max: 40_000, ja: 'CO2', en: 'CO2', decimals: 0 },
  illuminance: { unit: 'lx', min: 0, max: 200_000, ja: '照度', en: 'Illuminance', decimals: 0 },
  lights: { unit: '', min: 0, max: 1, ja: '照明', en: 'Lights', decimals: 0 },
  occupancy: { unit: '人', min: 0, max: 10_000, ja: '在室人数', en: 'Occupancy', decimals: 0 },
  waiting: { unit: '人', min: 0, max: 10_000, ja: '待ち人数', en: 'Waiting', decimals: 0 },
  wait_minutes: { unit: '分', min: 0, max: 1_440, ja: '待ち時間', en: 'Wait', decimals: 0 },
  /** the ticket number being called at a counter (呼出番号); a state, like `lights` */
  serving: { unit: '番', min: 0, max: 100_000, ja: '呼出番号', en: 'Now serving', decimals: 0 },
  /** the last ticket number issued today (発券済み番号); optional */
  issued: { unit: '番', min: 0, max: 100_000, ja: '発券番号', en: 'Last ticket issued', decimals: 0 },
  power: { unit: 'W', min: 0, max: 10_000_000, ja: '電力', en: 'Power', decimals: 0 },
  energy: { unit: 'kWh', min: 0, max: 1e12, ja: '電力量', en: 'Energy', decimals: 1 },
} as const;

export type Quantity = keyof typeof QUANTITIES;
export const QUANTITY_NAMES = Object.keys(QUANTITIES) as Quantity[];

export function isQuantity(name: string): name is Quantity {
  return Object.hasOwn(QUANTITIES, name);
}

/** Unit for the API (`°C` etc.); English-friendly units for counts. */
export function unitOf(q: Quantity): string {
  switch (q) {
    case 'occupancy':
    case 'waiting':
      return 'persons';
    case 'wait_minutes':
      return 'min';
    case 'lights':
      return 'on/off';
    case 'serving':
    case 'issued':
      return 'number';
    default:
      return QUANTITIES[q].unit;
  }
}
