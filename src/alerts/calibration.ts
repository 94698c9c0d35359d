import type { CalibrationNeed } from '../core/bus.js';
import { QUANTITIES, type Quantity, unitOf } from '../core/quantities.js';
import type { Alert } from './alert.js';

/**
 * Calibration alerts: a sensor that drifts from the official bi-monthly
 * measurement (bus `calibration`, from POST /api/reports/record/official)
 * opens ONE info alert per sensor and quantity; a later official measurement
 * within tolerance (bus `calibrated`) resolves it. Not a rule of the rules
 * file: the engine never sees these alerts, and a restart keeps them open.
 */
export const CALIBRATION_RULE = 'sensor.calibration';

type I18n = { ja: string; en: string };

export const CALIBRATION_ADVICE: I18n = {
  ja: 'センサーを校正するか交換してください',
  en: 'Calibrate or replace the sensor',
};

/** `site/zone/sensor/quantity`, as a series alert's subject. */
export function calibrationSubject(
  n: Pick<CalibrationNeed, 'site' | 'zone' | 'sensor' | 'quantity'>,
): string {
  return `${n.site}/${n.zone}/${n.sensor}/${n.quantity}`;
}

function quantityOf(q: string): Quantity | undefined {
  return Object.hasOwn(QUANTITIES, q) ? (q as Quantity) : undefined;
}

/** 「温度センサーの校正が必要です（公式測定との差 +1.6 °C、許容 ±1 °C）」 and its English. */
export function calibrationTitle(quantity: string, diff: number, threshold: number): I18n {
  const q = quantityOf(quantity);
  const decimals = q ? QUANTITIES[q].decimals : 1;
  const num = (x: number, fixed: boolean) =>
    x.toLocaleString('ja-JP', {
      maximumFractionDigits: decimals,
      minimumFractionDigits: fixed ? decimals : 0,
    });
  const shown = num(Math.abs(diff), true);
  const sign = diff > 0 ? '+' : diff < 0 ? '−' : '';
  const sp = (u: string) => (u ? ` ${u}` : '');
  const ja = q ? QUANTITIES[q].unit : '';
  const en = q ? unitOf(q) : '';
  const name = q ? QUANTITIES[q] : { ja: quantity, en: quantity };
  return {
    ja: `${name.ja}センサーの校正が必要です（公式測定との差 ${sign}${shown}${sp(ja)}、許容 ±${num(threshold, false)}${sp(ja)}）`,
    en: `${name.en} sensor needs calibration (differs from the official measurement by ${sign}${shown}${sp(en)}; tolerance ±${num(threshold, false)}${sp(en)})`,
  };
}

/**
 * The alert for a calibration need at `now`: info, category sensor, value =
 * sensor − official, limit ±threshold; `peak` keeps the largest difference of
 * the open alert `cur`, if any.
 */
export function calibrationDraft(n: CalibrationNeed, now: number, cur?: Alert): Omit<Alert, 'id'> {
  const quantity = quantityOf(n.quantity);
  const peak = cur && Math.abs(cur.peak) > Math.abs(n.diff) ? cur.peak : n.diff;
  return {
    ruleId: CALIBRATION_RULE,
    kind: 'calibration',
    category: 'sensor',
    severity: 'info',
    state: 'firing',
    subject: calibrationSubject(n),
    site: n.site,
    zone: n.zone,
    sensor: n.sensor,
    ...(quantity ? { quantity } : {}),
    title: calibrationTitle(n.quantity, n.diff, n.threshold),
    advice: CALIBRATION_ADVICE,
    openedAt: now,
    firedAt: now,
    value: n.diff,
    peak,
    limit: { above: n.threshold, below: -n.threshold },
    notifyCount: 0,
    resolvedNotified: false,
    calibration: { official: n.official, sensorValue: n.sensorValue, measuredAt: n.ts },
  };
}
