import { describe, expect, it } from 'vitest';
import {
  escapeMeasurement,
  escapeTag,
  limitOfField,
  outsideField,
  readingLine,
} from '../../src/store/line-protocol.js';
import { reading, T0 } from './contract.js';

describe('line protocol', () => {
  it('escapes comma, equals and space in tags and leaves Japanese text as UTF-8', () => {
    expect(escapeTag('区民課 窓口,1=A')).toBe('区民課\\ 窓口\\,1\\=A');
    expect(escapeMeasurement('a b,c')).toBe('a\\ b\\,c');
  });

  it('refuses what line protocol cannot carry, as non-retryable errors', () => {
    expect(() => escapeTag('')).toThrow(expect.objectContaining({ retryable: false }));
    expect(() => escapeTag('a\nb')).toThrow(/newline/);
    expect(() => readingLine(reading({ value: Number.NaN, ts: T0 }))).toThrow(/finite/);
    expect(() => readingLine(reading({ value: 1, ts: T0 + 0.5 }))).toThrow(/integer/);
  });

  it('writes floats, never integers, with the registered flag and a ms timestamp', () => {
    expect(readingLine(reading({ quantity: 'lights', value: 1, ts: T0, registered: false }))).toBe(
      `lights,sensor=s1,site=takatsu,zone=lobby value=1,registered=f ${T0}`,
    );
  });

  it('maps limit ids to field keys and back', () => {
    expect(outsideField('eco.overcooling')).toBe('outside_eco.overcooling_ms');
    expect(limitOfField(outsideField('eco.overcooling'))).toBe('eco.overcooling');
    expect(limitOfField('covered_ms')).toBeUndefined();
  });
});
