/**
 * The simulated sensor fleet: `sensors` sensors in zones of 50 under site
 * `bench`, each message a native JSON object with two quantities and a `ts`
 * that is the send time in ms (unique per sensor, so every stored point is
 * distinct and publish → stored latency can be read off the reading).
 */
export const SITE = 'bench';
export const SENSORS_PER_ZONE = 50;
export const QUANTITIES_PER_MESSAGE = 2;
/** the sensor the latency scenario drives across an alert threshold */
export const ALARM = { zone: 'alarm', sensor: 'alarm1', quantity: 'co2', above: 1500 } as const;

export function zoneOf(i: number): string {
  return `z${String(Math.floor(i / SENSORS_PER_ZONE) + 1).padStart(2, '0')}`;
}

export function topicOf(i: number): string {
  return `kaiteki/${SITE}/${zoneOf(i)}/s${String(i + 1).padStart(4, '0')}`;
}

export const ALARM_TOPIC = `kaiteki/${SITE}/${ALARM.zone}/${ALARM.sensor}`;

/** a plausible office reading; `k` varies the values a little */
export function payloadOf(ts: number, i: number, k: number): string {
  const t = 22 + ((i + k) % 40) / 10;
  const c = 500 + ((i * 7 + k) % 300);
  return `{"ts":${ts},"temperature":${t.toFixed(1)},"co2":${c}}`;
}

/** ts strictly increasing per sensor, at or after `now` */
export class TsClock {
  private readonly last: Float64Array;
  constructor(sensors: number) {
    this.last = new Float64Array(sensors + 1);
  }
  next(i: number, now: number): number {
    const ts = Math.max(now, this.last[i]! + 1);
    this.last[i] = ts;
    return ts;
  }
}
