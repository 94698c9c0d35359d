import { parseConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/schema.js';
import { Calendar } from '../../src/core/calendar.js';
import type { Quantity } from '../../src/core/quantities.js';
import type { Reading } from '../../src/core/reading.js';
import { compileRules } from '../../src/rules/compile.js';
import { Engine } from '../../src/rules/engine.js';
import type { RuleEvent } from '../../src/rules/types.js';

export const MIN = 60_000;

export const zones = [
  { id: 'lobby', name: { ja: '1階ロビー', en: '1F Lobby' }, kind: 'lobby', illuminanceTarget: 500 },
  {
    id: 'kumin-counter',
    name: { ja: '区民課 窓口', en: 'Citizen counters' },
    kind: 'counter',
    illuminanceTarget: 750,
  },
  { id: 'office', name: { ja: '事務室', en: 'Office' }, kind: 'office', illuminanceTarget: 750 },
];

export function config(raw: Record<string, unknown> = {}): Config {
  return parseConfig({ site: { id: 'takatsu' }, zones, ...raw }, 'test', {});
}

/** An engine over the given rules (YAML-shaped objects), sensors reporting every 60 s. */
export function engineFor(rules: unknown[], defaults: Record<string, unknown> = {}, cfg = config()) {
  const calendar = new Calendar(cfg.hours);
  const compiled = compileRules({ defaults, rules }, 'rules.yaml', cfg, calendar, 3);
  const engine = new Engine(compiled, () => 60_000, 3);
  const events: RuleEvent[] = [];
  return {
    engine,
    events,
    read(quantity: Quantity, value: number, ts: number, zone = 'lobby', sensor = 's1', now = ts) {
      const r: Reading = { site: 'takatsu', zone, sensor, quantity, value, ts, registered: true };
      engine.onReading(r, now, events);
    },
    tick(now: number) {
      engine.tick(now, events);
    },
    types: () => events.map((e) => e.type).filter((t) => t !== 'peak'),
  };
}

/** epoch ms of a JST wall-clock time */
export function jst(s: string): number {
  return Date.parse(`${s}+09:00`);
}
