import type { Config } from '../config/schema.js';
import type { Calendar } from './calendar.js';
import { Judgement, type LimitCategory } from './judgement.js';
import type { Quantity } from './quantities.js';

/**
 * One limit a reading can be outside of, as the rollups count it (time
 * outside per hour). The definitions are the judgement's limits table
 * (src/core/judgement.ts): comfort limits apply while the zone is in use,
 * building protection at all hours, eco and service by their windows.
 */
export interface LimitCheck {
  /** stable id used in rollups and reports: `comfort.temperature`, `protection.temperature`, `eco.overcooling`, … */
  id: string;
  category: LimitCategory;
  quantity: Quantity;
  /** true when this limit applies at ts in zone (in use, season …) and value breaks it */
  outside(value: number, ts: number, zone: string): boolean;
  /** true when the limit applies at ts at all (so "time within" can be computed) */
  applies(ts: number, zone: string): boolean;
}

/** The rollups' view of the limits table. `judgement` defaults to one built from config (the calendar argument is legacy). */
export function limitChecks(config: Config, judgement?: Judgement | Calendar): LimitCheck[] {
  const j = judgement instanceof Judgement ? judgement : new Judgement(config);
  return j.table.map((def) => ({
    id: def.id,
    category: def.category,
    quantity: def.quantity,
    applies: (ts, zone) => j.applies(def, zone, ts),
    // the value first: it is a comparison, the window a calendar lookup (this runs for every reading)
    outside: (v, ts, zone) => j.breaks(def, zone, v) !== undefined && j.applies(def, zone, ts),
  }));
}
