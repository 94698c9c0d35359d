import { SLUG } from '../core/reading.js';

export type KaitekiTopic =
  | { kind: 'object'; site: string; zone: string; sensor: string }
  | { kind: 'value'; site: string; zone: string; sensor: string; quantity: string }
  | { kind: 'status'; site: string; zone: string; sensor: string };

/**
 * Parses the native topic contract (DESIGN §4) under `prefix`:
 * `<prefix>/<site>/<zone>/<sensor>`, `…/<sensor>/<quantity>`, `…/<sensor>/status`.
 * Returns a string explaining the problem when the topic does not fit.
 */
export function parseTopic(topic: string, prefix: string): KaitekiTopic | string {
  if (!(topic.charCodeAt(prefix.length) === 47 && topic.startsWith(prefix)))
    return `topic is not under "${prefix}/"`;
  const parts = topic.slice(prefix.length + 1).split('/');
  if (parts.length < 3 || parts.length > 4) {
    return `expected ${prefix}/<site>/<zone>/<sensor>[/<quantity>|/status], got ${parts.length} level(s)`;
  }
  const [site, zone, sensor, last] = parts as [string, string, string, string | undefined];
  // (every message passes here: three tests, no arrays)
  if (!SLUG.test(site)) return notSlug('site', site);
  if (!SLUG.test(zone)) return notSlug('zone', zone);
  if (!SLUG.test(sensor)) return notSlug('sensor', sensor);
  if (last === undefined) return { kind: 'object', site, zone, sensor };
  if (last === 'status') return { kind: 'status', site, zone, sensor };
  return { kind: 'value', site, zone, sensor, quantity: last };
}

function notSlug(what: string, id: string): string {
  return `${what} id "${id.slice(0, 64)}" is not a slug ([a-z0-9][a-z0-9_-]*)`;
}

/** Subscriptions for the native topics of the given sites (all sites when empty). */
export function nativeSubscriptions(
  prefix: string,
  sites: readonly string[],
  sharedGroup?: string,
): string[] {
  const share = sharedGroup ? `$share/${sharedGroup}/` : '';
  return (sites.length === 0 ? ['+'] : sites).map((s) => `${share}${prefix}/${s}/#`);
}
