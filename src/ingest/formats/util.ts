import type { FormatResult } from '../format.js';

const decoder = new TextDecoder('utf-8', { fatal: true });

/** Strict UTF-8 decode: invalid bytes are a rejection, not replacement characters. */
export function decodeUtf8(payload: Buffer): string | Extract<FormatResult, { kind: 'reject' }> {
  if (payload.length === 0) return { kind: 'reject', reason: 'empty_payload', detail: 'empty payload' };
  try {
    return decoder.decode(payload);
  } catch {
    return { kind: 'reject', reason: 'invalid_utf8', detail: 'payload is not valid UTF-8' };
  }
}

/** JSON that must be an object (not an array, string or number). */
export function parseJsonObject(
  text: string,
): { value: Record<string, unknown> } | Extract<FormatResult, { kind: 'reject' }> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return {
      kind: 'reject',
      reason: 'invalid_json',
      detail: `invalid JSON: ${(err as Error).message.slice(0, 120)}`,
    };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return {
      kind: 'reject',
      reason: 'not_an_object',
      detail: `expected a JSON object, got ${Array.isArray(value) ? 'an array' : typeof value}`,
    };
  }
  return { value: value as Record<string, unknown> };
}
