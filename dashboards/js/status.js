/**
 * The wall judges nothing: in use or closed, limits, stale and offline, the
 * wait bands are decided on the server (src/core/judgement.ts) and arrive as
 * zone status (GET /api/status, SSE `status`). These helpers only read it.
 */

/** Tile states the server sends, worst first (for sorting and the legend). */
export const ZONE_STATES = ['out', 'caution', 'offline', 'stale', 'nodata', 'closed', 'ok'];

/**
 * A zone status from the server (`{zone, inUse, state, reasons, eco, since, limits, values}`);
 * null for anything else (e.g. a sensor availability message).
 * @param {any} s
 */
export function asZoneStatus(s) {
  return s && typeof s === 'object' && typeof s.zone === 'string' && typeof s.state === 'string' ? s : null;
}

/**
 * Whether the server marks an eco deviation for the zone now.
 * @param {any} status
 */
export function hasEco(status) {
  return Array.isArray(status?.eco) && status.eco.length > 0;
}
