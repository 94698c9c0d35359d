import { EventEmitter } from 'node:events';
import type { Reading, SensorStatus } from './reading.js';
import type { ZoneStatus } from './zone-status.js';

/** A sensor found to drift from the official air-environment measurement (sensor − official beyond `threshold`). */
export interface CalibrationNeed {
  site: string;
  zone: string;
  sensor: string;
  quantity: string;
  /** the official measurement's time, epoch ms */
  ts: number;
  official: number;
  sensorValue: number;
  diff: number;
  threshold: number;
}

/** Every event that crosses part boundaries, with its payload type. */
export interface BusEvents {
  /** readings accepted (durable) in one batch, in arrival order */
  readings: [readings: readonly Reading[]];
  status: [status: SensorStatus];
  /** a message rejected at ingest */
  rejected: [info: { reason: string; topic: string; detail: string }];
  /** a sensor differs from the official measurement beyond the drift threshold (src/report/record): needs calibration, info */
  calibration: [info: CalibrationNeed];
  /** a sensor found within tolerance of a later official measurement (same payload; |diff| ≤ threshold): its calibration alert resolves */
  calibrated: [info: CalibrationNeed];
  /** an alert opened, changed state or resolved (payload owned by src/alerts) */
  alert: [alert: unknown];
  /** a zone's status changed (src/core/status-service.ts; GET /api/status, SSE `status`) */
  zoneStatus: [status: ZoneStatus];
}

/** Typed in-process event bus; listeners must not throw (errors are caught and logged by the emitter's owner). */
export class Bus {
  private readonly ee = new EventEmitter({ captureRejections: false });
  constructor() {
    this.ee.setMaxListeners(100);
  }
  on<K extends keyof BusEvents>(event: K, fn: (...args: BusEvents[K]) => void): () => void {
    this.ee.on(event, fn as (...a: unknown[]) => void);
    return () => this.ee.off(event, fn as (...a: unknown[]) => void);
  }
  emit<K extends keyof BusEvents>(event: K, ...args: BusEvents[K]): void {
    this.ee.emit(event, ...args);
  }
}
