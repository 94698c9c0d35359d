import type { Quantity } from '../core/quantities.js';
import type { SensorStatus } from '../core/reading.js';

/** Why a message or a field was not accepted; the label of `kaiteki_ingest_rejected_total`. */
export type RejectReason =
  | 'payload_too_large'
  | 'empty_payload'
  | 'invalid_utf8'
  | 'invalid_json'
  | 'not_an_object'
  | 'bad_topic'
  | 'unknown_quantity'
  | 'not_a_number'
  | 'out_of_range'
  | 'bad_timestamp'
  | 'future_timestamp'
  | 'too_old'
  | 'unregistered_sensor'
  | 'no_values'
  | 'unmapped'
  /** a sensor, zone or site id longer than 64 characters */
  | 'id_too_long'
  /** a new series of an unregistered sensor beyond `ingest.maxUnregisteredSeries` */
  | 'too_many_unregistered'
  /** a value whose unit is not known yet (Homie: no `$unit` received and none in the map); never guessed */
  | 'unit_unknown'
  /** anything that threw while the message was turned into readings (the error's message is the detail) */
  | 'processing_error';

export interface RawMessage {
  topic: string;
  payload: Buffer;
  /** epoch ms when Kaiteki received it; the reading's time when the payload has none */
  receivedAt: number;
  /** the broker sent it because it is retained (a new subscription, e.g. after a restart), not live */
  retain?: boolean;
  /** the broker redelivers it (MQTT DUP flag: an earlier delivery was not acknowledged) */
  dup?: boolean;
  /** MQTT packet id (QoS 1/2): a redelivery keeps it, so dedupe tells a redelivered message from a new one with the same payload */
  messageId?: number;
}

/** Values a format pulled out of one message, before validation and normalisation. */
export interface Candidate {
  site: string;
  zone: string;
  sensor: string;
  /** quantity → raw value (number, numeric string, on/off, true/false …); validated later */
  values: Partial<Record<Quantity, unknown>>;
  /** raw timestamp from the payload (ISO 8601 string or epoch ms), if any */
  ts?: unknown;
}

export type FormatResult =
  | { kind: 'values'; candidates: Candidate[]; ignoredFields?: number }
  | { kind: 'status'; status: Omit<SensorStatus, 'ts'> & { ts?: number } }
  | { kind: 'reject'; reason: RejectReason; detail: string }
  /** not for us (e.g. a discovery message handled elsewhere, a command topic) */
  | { kind: 'ignore' };

/**
 * A payload format: topic + bytes → candidates. Pure (no I/O, no clock), so
 * it can be fuzzed and tested from fixtures. Must never throw: every message
 * ends as values, a status, a reject with a reason, or ignore.
 */
export interface PayloadFormat {
  readonly name: string;
  parse(msg: RawMessage): FormatResult;
}
