import type { Judgement } from '../core/judgement.js';
import { keysOf, type Reading, sensorKey } from '../core/reading.js';
import type { CompiledRule } from './compile.js';
import {
  BAND,
  BREAK,
  CLEAR,
  type Code,
  FIRING,
  type MachineState,
  NA,
  newState,
  OK,
  seedFiring,
  step,
} from './machine.js';
import { type Availability, emit, type Runner, type SeedInfo } from './runners.js';

export type { Availability } from './runners.js';

import type { RuleEvent, Subject } from './types.js';

interface ZoneState extends MachineState {
  /** newest lights / occupancy value per sensor of the zone */
  lights: Map<string, { v: number; ts: number }>;
  occupancy: Map<string, { v: number; ts: number }>;
  staleMs: number;
  /** arrival (server clock) of the zone's newest lights/occupancy message */
  lastSeen: number;
}

/**
 * Lights on in a zone where no one is present: every occupancy sensor of the
 * zone reports 0 while a lights sensor reports on. The pending period
 * (`for`) is the "empty for N minutes" of the policy.
 */
export class EmptyZoneRunner implements Runner {
  readonly states = new Map<string, ZoneState>();
  constructor(
    readonly rule: CompiledRule,
    private readonly j: Judgement = rule.judgement,
  ) {}

  private state(subject: Subject): ZoneState {
    let s = this.states.get(subject.key);
    if (!s) {
      s = Object.assign(newState(subject, this.rule.severity), {
        lights: new Map(),
        occupancy: new Map(),
        staleMs: 0,
        lastSeen: Number.NEGATIVE_INFINITY,
      });
      this.states.set(subject.key, s);
    }
    return s;
  }

  onReading(r: Reading, _key: string, now: number, out: RuleEvent[]): void {
    if (r.quantity !== 'lights' && r.quantity !== 'occupancy') return;
    if (this.rule.zoneOk && !this.rule.zoneOk(r.zone)) return;
    const key = `${r.site}/${r.zone}`;
    const s = this.states.get(key) ?? this.state({ key, site: r.site, zone: r.zone });
    if (now > s.lastSeen) s.lastSeen = now;
    const map = r.quantity === 'lights' ? s.lights : s.occupancy;
    const prev = map.get(r.sensor);
    if (prev && r.ts <= prev.ts) return;
    if (!prev) s.staleMs = Math.max(s.staleMs, this.j.staleAfterMs(r.site, r.sensor));
    map.set(r.sensor, { v: r.value, ts: r.ts });
    if (r.ts > s.lastTs) s.lastTs = r.ts;
    this.judge(s, r.ts, true, out);
  }

  private judge(s: ZoneState, ts: number, isReading: boolean, out: RuleEvent[]): void {
    const rule = this.rule;
    let on = 0;
    for (const x of s.lights.values()) if (x.v >= 0.5) on++;
    let present = 0;
    for (const x of s.occupancy.values()) present += x.v;
    let code: Code;
    if (rule.applies && !rule.applies(ts, s.subject.zone)) code = NA;
    else if (s.lights.size === 0 || s.occupancy.size === 0) code = BAND;
    else code = on > 0 && present === 0 ? BREAK : CLEAR;
    s.lastValue = on;
    emit(out, rule, s, step(s, rule, code, on, on, ts, isReading), ts, on);
  }

  tick(now: number, out: RuleEvent[]): void {
    for (const s of this.states.values()) {
      if (s.phase === OK && !this.rule.applies) continue;
      const ts = Math.max(now, s.lastTs);
      // silent zone (by arrival, the judgement's stale time of its slowest sensor): its last values decide nothing
      if (now - s.lastSeen > s.staleMs) {
        if (s.phase === FIRING && this.rule.applies && !this.rule.applies(ts, s.subject.zone)) {
          emit(out, this.rule, s, step(s, this.rule, NA, s.lastValue, 0, ts, false), ts, s.lastValue);
        }
        continue;
      }
      this.judge(s, ts, false, out);
    }
  }

  seed(subject: Subject, info: SeedInfo, _now: number): void {
    seedFiring(this.state(subject), { ...info, peakBad: info.peak });
  }
}

interface SensorState extends MachineState {
  /** arrival time (clock) of the sensor's newest message */
  lastSeen: number;
  staleMs: number;
}

/**
 * A sensor the judgement calls stale (`Judgement.freshness`: nothing arrived
 * for inventory.staleAfterIntervals × its expected interval) — the same
 * policy as the wall and /api/latest, so they cannot disagree. Liveness is
 * judged on arrival time, not the reading's own ts, so a sensor with a wrong
 * clock or a replayed backlog is still alive; an offline sensor is the
 * offline rule's.
 */
export class StaleRunner implements Runner {
  readonly states = new Map<string, SensorState>();
  constructor(
    readonly rule: CompiledRule,
    private readonly j: Judgement = rule.judgement,
    /** a sensor whose availability says offline is the offline rule's, not also a stale alert */
    private readonly online: Availability = () => undefined,
  ) {}

  private state(subject: Subject, seenAt: number): SensorState {
    let s = this.states.get(subject.key);
    if (!s) {
      s = Object.assign(newState(subject, this.rule.severity), {
        lastSeen: seenAt,
        staleMs: this.j.staleAfterMs(subject.site, subject.sensor ?? ''),
      });
      this.states.set(subject.key, s);
    }
    return s;
  }

  /** A sensor known to exist (inventory, store) is watched from `seenAt` even before it reports. */
  watch(site: string, zone: string, sensor: string, seenAt: number): void {
    if (this.rule.zoneOk && !this.rule.zoneOk(zone)) return;
    this.state({ key: keysOf(site, zone, sensor).sensorKey, site, zone, sensor }, seenAt);
  }

  onReading(r: Reading, _key: string, now: number, out: RuleEvent[]): void {
    if (this.rule.zoneOk && !this.rule.zoneOk(r.zone)) return;
    // a sensor not in the inventory is not watched (it may be a one-off or a test publisher)
    const key = sensorKey(r);
    if (!r.registered && !this.states.has(key)) return;
    const s = this.states.get(key) ?? this.state({ key, site: r.site, zone: r.zone, sensor: r.sensor }, now);
    if (now > s.lastSeen) s.lastSeen = now;
    if (s.phase !== OK) emit(out, this.rule, s, step(s, this.rule, CLEAR, 0, 0, now, true), now, 0);
  }

  tick(now: number, out: RuleEvent[]): void {
    for (const s of this.states.values()) {
      const silent = now - s.lastSeen;
      const site = s.subject.site;
      const sensor = s.subject.sensor ?? '';
      if (s.phase === OK && silent <= s.staleMs) continue; // fresh and quiet: nothing to ask
      const f = this.j.freshness(site, sensor, s.lastSeen, now, this.online(site, sensor));
      const code: Code =
        f === 'offline' || (this.rule.applies && !this.rule.applies(now, s.subject.zone))
          ? NA
          : f === 'stale'
            ? BREAK
            : CLEAR;
      const minutes = silent / 60_000;
      emit(out, this.rule, s, step(s, this.rule, code, minutes, minutes, now, false), now, minutes);
    }
  }

  seed(subject: Subject, info: SeedInfo, now: number): void {
    seedFiring(this.state(subject, now), { ...info, peakBad: info.peak });
  }

  /** expected silence limit for a sensor (ms), for messages */
  limitMs(key: string): number | undefined {
    return this.states.get(key)?.staleMs;
  }
}

/**
 * A sensor whose availability says offline (its `…/status` LWT, zigbee2mqtt
 * availability, Homie `$state` …): fires after the pending period (`for`),
 * resolves once it has been online for `clearFor`. Judged on every tick.
 */
export class OfflineRunner implements Runner {
  readonly states = new Map<string, MachineState>();
  constructor(
    readonly rule: CompiledRule,
    private readonly online: Availability,
  ) {}

  private state(subject: Subject): MachineState {
    let s = this.states.get(subject.key);
    if (!s) {
      s = newState(subject, this.rule.severity);
      this.states.set(subject.key, s);
    }
    return s;
  }

  watch(site: string, zone: string, sensor: string): void {
    if (this.rule.zoneOk && !this.rule.zoneOk(zone)) return;
    this.state({ key: keysOf(site, zone, sensor).sensorKey, site, zone, sensor });
  }

  onReading(r: Reading): void {
    if (!r.registered || (this.rule.zoneOk && !this.rule.zoneOk(r.zone))) return;
    const key = sensorKey(r);
    if (!this.states.has(key)) this.state({ key, site: r.site, zone: r.zone, sensor: r.sensor });
  }

  tick(now: number, out: RuleEvent[]): void {
    for (const s of this.states.values()) {
      const off = this.online(s.subject.site, s.subject.sensor ?? '') === false;
      if (!off && s.phase === OK) continue;
      const code: Code =
        this.rule.applies && !this.rule.applies(now, s.subject.zone) ? NA : off ? BREAK : CLEAR;
      emit(out, this.rule, s, step(s, this.rule, code, off ? 1 : 0, 1, now, true), now, off ? 1 : 0);
    }
  }

  seed(subject: Subject, info: SeedInfo): void {
    seedFiring(this.state(subject), { ...info, peakBad: info.peak });
  }
}
