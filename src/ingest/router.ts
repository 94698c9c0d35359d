import type { Candidate, FormatResult, PayloadFormat, RawMessage } from './format.js';
import { KaitekiFormat } from './formats/kaiteki.js';
import { nativeSubscriptions } from './topic.js';

/** One topic filter (MQTT wildcards `+` and `#`) handled by one format. */
export interface Route {
  filter: string;
  format: PayloadFormat;
}

/** Filters to subscribe to or drop after routes changed (e.g. a discovery proposal confirmed). */
export type SubscriptionChange = { added: string[]; removed: string[] };

/**
 * Picks the payload format for a topic. Third-party devices register the
 * topic filters their inventory entries name, grouped under a key (one key
 * per inventory entry) so that a group can be replaced or removed while
 * running. Every route whose filter matches gets the message (two entries
 * mapping different fields of one topic both see it); the native
 * `<prefix>/…` contract applies only when no route matches.
 */
export class FormatRouter {
  private readonly native: KaitekiFormat;
  private readonly groups = new Map<string, Route[]>();
  private readonly exact = new Map<string, PayloadFormat[]>();
  private wildcard: { levels: string[]; format: PayloadFormat }[] = [];
  private readonly filterRefs = new Map<string, number>();
  private readonly listeners = new Set<(c: SubscriptionChange) => void>();
  private anonymous = 0;

  constructor(
    private readonly prefix: string,
    private readonly sites: readonly string[],
    private readonly sharedGroup?: string,
  ) {
    this.native = new KaitekiFormat(prefix);
  }

  /** Adds one route that cannot be replaced later. */
  add(topicPattern: string, format: PayloadFormat): void {
    this.set(`route#${this.anonymous++}`, [{ filter: topicPattern, format }]);
  }

  /** Sets (or replaces) the routes of a group; listeners learn which filters appeared or went. */
  set(key: string, routes: readonly Route[]): void {
    const removed = this.detach(key);
    const added: string[] = [];
    this.groups.set(key, [...routes]);
    for (const r of routes) {
      const n = this.filterRefs.get(r.filter) ?? 0;
      this.filterRefs.set(r.filter, n + 1);
      if (n === 0) added.push(r.filter);
    }
    this.rebuild();
    this.notify(
      added.filter((f) => !removed.includes(f)),
      removed.filter((f) => !added.includes(f) && !this.filterRefs.has(f)),
    );
  }

  /** Removes a group's routes (no-op for an unknown key). */
  remove(key: string): void {
    const removed = this.detach(key);
    this.rebuild();
    this.notify([], removed);
  }

  has(key: string): boolean {
    return this.groups.has(key);
  }

  route(topic: string): PayloadFormat | undefined {
    const found: PayloadFormat[] = [];
    const exact = this.exact.get(topic);
    if (exact) found.push(...exact);
    if (this.wildcard.length > 0) {
      const levels = topic.split('/');
      for (const r of this.wildcard)
        if (matches(r.levels, levels) && !found.includes(r.format)) found.push(r.format);
    }
    if (found.length === 1) return found[0];
    if (found.length > 1) return new AllOf(found);
    return topic.startsWith(`${this.prefix}/`) ? this.native : undefined;
  }

  /** Native subscriptions plus every route filter (once), with the shared-subscription prefix when configured. */
  subscriptions(): string[] {
    return [
      ...nativeSubscriptions(this.prefix, this.sites, this.sharedGroup),
      ...[...this.filterRefs.keys()].map((f) => this.share(f)),
    ];
  }

  /** Called after routes change with the filters (shared prefix applied) to subscribe and unsubscribe. */
  onSubscriptionsChanged(fn: (c: SubscriptionChange) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private share(filter: string): string {
    return this.sharedGroup ? `$share/${this.sharedGroup}/${filter}` : filter;
  }

  private detach(key: string): string[] {
    const old = this.groups.get(key);
    if (!old) return [];
    this.groups.delete(key);
    const removed: string[] = [];
    for (const r of old) {
      const n = (this.filterRefs.get(r.filter) ?? 1) - 1;
      if (n <= 0) {
        this.filterRefs.delete(r.filter);
        removed.push(r.filter);
      } else this.filterRefs.set(r.filter, n);
    }
    return removed;
  }

  private rebuild(): void {
    this.exact.clear();
    this.wildcard = [];
    for (const routes of this.groups.values()) {
      for (const r of routes) {
        const levels = r.filter.split('/');
        if (levels.some((l) => l === '+' || l === '#')) this.wildcard.push({ levels, format: r.format });
        else {
          const list = this.exact.get(r.filter) ?? [];
          if (!list.includes(r.format)) list.push(r.format);
          this.exact.set(r.filter, list);
        }
      }
    }
  }

  private notify(added: string[], removed: string[]): void {
    if (added.length === 0 && removed.length === 0) return;
    const change = { added: added.map((f) => this.share(f)), removed: removed.map((f) => this.share(f)) };
    for (const fn of this.listeners) fn(change);
  }
}

/**
 * Several formats on one topic: their candidates are merged; a status or
 * rejection counts only when no format produced values (a format that
 * maps none of the message's fields is not a reason to reject it).
 */
class AllOf implements PayloadFormat {
  readonly name: string;
  constructor(private readonly formats: readonly PayloadFormat[]) {
    this.name = formats.map((f) => f.name).join('+');
  }

  parse(msg: RawMessage): FormatResult {
    const candidates: Candidate[] = [];
    let ignoredFields: number | undefined;
    let other: FormatResult | undefined;
    for (const f of this.formats) {
      const r = f.parse(msg);
      if (r.kind === 'values') {
        candidates.push(...r.candidates);
        if (r.ignoredFields !== undefined)
          ignoredFields = Math.min(ignoredFields ?? r.ignoredFields, r.ignoredFields);
      } else if (r.kind === 'status') {
        if (other?.kind !== 'status') other = r;
      } else if (!other || (other.kind === 'ignore' && r.kind === 'reject')) other = r;
    }
    if (candidates.length > 0) {
      return ignoredFields ? { kind: 'values', candidates, ignoredFields } : { kind: 'values', candidates };
    }
    return other ?? { kind: 'ignore' };
  }
}

/** MQTT topic filter match (`+` one level, `#` the rest). */
export function matches(pattern: readonly string[], levels: readonly string[]): boolean {
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i];
    if (p === '#') return true;
    if (i >= levels.length) return false;
    if (p !== '+' && p !== levels[i]) return false;
  }
  return pattern.length === levels.length;
}
