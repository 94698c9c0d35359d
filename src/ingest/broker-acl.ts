/**
 * Topic rights of the embedded broker (src/ingest/broker.ts): MQTT filter
 * matching, filter coverage, the default sensor rights and `%u`/`%c`
 * substitution in ACL patterns.
 */

/** Per-user topic rights replacing the default sensor rights; `%u` = user name, `%c` = client id. */
export interface AclEntry {
  user: string;
  publish: string[];
  subscribe: string[];
}

/** Default rights for a sensor: no wildcard at the top (`#`, `+/…`) and no `$SYS`. */
export function sensorMaySubscribe(filter: string): boolean {
  const first = filter.split('/')[0]!;
  return first !== '#' && first !== '+' && !first.startsWith('$');
}

/**
 * ACL patterns with `%u` (user name) and `%c` (client id) substituted. A
 * pattern naming a value that is empty or holds `+`, `#` or `/` grants
 * nothing (it is left out), as Mosquitto refuses it: otherwise a client id
 * `#` would turn `site/+/%c/#` into `site/+/#/#`, every topic, and `a/b`
 * would reach another client's level.
 */
export function expand(patterns: readonly string[], user: string, clientId: string): string[] {
  const out: string[] = [];
  for (const p of patterns) {
    if (p.includes('%u') && !safeLevel(user)) continue;
    if (p.includes('%c') && !safeLevel(clientId)) continue;
    // one pass, so a user name holding "%c" is not substituted again
    out.push(p.replace(/%[uc]/g, (m) => (m === '%u' ? user : clientId)));
  }
  return out;
}

/** A value that may stand for exactly one topic level, without wildcards. */
function safeLevel(v: string): boolean {
  return v !== '' && !/[+#/]/.test(v);
}

/** Whether a concrete topic matches an MQTT filter (`+`, `#`; `$share/<g>/` prefixes are dropped). */
export function topicMatches(filter: string, topic: string): boolean {
  const f = stripShare(filter).split('/');
  const t = topic.split('/');
  if (t[0]?.startsWith('$') && f[0] !== t[0]) return false;
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true;
    if (i >= t.length) return false;
    if (f[i] !== '+' && f[i] !== t[i]) return false;
  }
  return f.length === t.length;
}

/** Whether every topic `inner` matches is also matched by `outer` (both filters). */
export function filterCovers(outer: string, inner: string): boolean {
  const o = stripShare(outer).split('/');
  const n = stripShare(inner).split('/');
  for (let i = 0; i < o.length; i++) {
    if (o[i] === '#') return true;
    if (i >= n.length) return false;
    if (n[i] === '#') return false;
    if (o[i] !== '+' && (n[i] === '+' || o[i] !== n[i])) return false;
  }
  return o.length === n.length;
}

/** A filter without its `$share/<group>/` prefix (the topics a shared subscription receives). */
export function stripShare(f: string): string {
  return f.startsWith('$share/') ? f.split('/').slice(2).join('/') : f;
}
