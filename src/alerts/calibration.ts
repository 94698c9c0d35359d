import type { CalibrationNeed } from '../core/bus.js';
import type { Logger } from '../core/log.js';
import { QUANTITIES, type Quantity, unitOf } from '../core/quantities.js';
import type { Alert } from './alert.js';
import type { AlertBook, AlertChange } from './book.js';
import type { AlertStore } from './store.js';

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

export interface CalibrationDeps {
  book: AlertBook;
  store: Pick<AlertStore, 'latestFor'>;
  log: Logger;
  /** a change of a calibration alert: the bus and the channels hear of it */
  announce(change: AlertChange, now: number): void;
  /** the open alert got a new difference (no new notice): the wall and the page see it */
  updated(alert: Alert, now: number): void;
}

/**
 * A sensor compared with the official measurement: drifting opens one info
 * alert per sensor and quantity, or updates the open one; within tolerance
 * resolves it. A measurement older than the newest one already applied to
 * this sensor (that raised the open alert, or resolved the last one) changes
 * nothing: an old file imported again.
 */
export function applyCalibration(
  d: CalibrationDeps,
  n: CalibrationNeed,
  drifting: boolean,
  now: number,
): void {
  const { book } = d;
  const subject = calibrationSubject(n);
  const cur = book.openFor(CALIBRATION_RULE, subject);
  // the measurement the open alert was raised on, or the one that last resolved it
  const last = cur ?? d.store.latestFor(CALIBRATION_RULE, subject);
  if (last?.calibration && n.ts < last.calibration.measuredAt) return;
  const measured = { official: n.official, sensorValue: n.sensorValue, measuredAt: n.ts };
  const ids = { zone: n.zone, sensor: n.sensor, quantity: n.quantity, diff: n.diff };
  if (!drifting) {
    const change = book.resolveOpen(CALIBRATION_RULE, subject, now, {
      value: n.diff,
      calibration: measured,
    });
    if (!change) return;
    d.log.info({ alert: change.alert.id, ...ids }, 'sensor within tolerance of the official measurement');
    d.announce(change, now);
    return;
  }
  const change = book.openOrUpdate(calibrationDraft(n, now, cur));
  if (change) {
    d.log.info({ alert: change.alert.id, ...ids }, 'sensor needs calibration');
    d.announce(change, now);
  } else if (cur) d.updated(cur, now);
}
