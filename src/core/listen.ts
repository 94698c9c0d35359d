import type { Server as NetServer } from 'node:net';
import { networkInterfaces } from 'node:os';

/**
 * Starts `server` listening on host:port and resolves with the port it is
 * bound to (the real one when `port` is 0); rejects with the listen error
 * (EADDRINUSE, EACCES …) instead of leaving it to an 'error' event.
 */
export async function listenOn(server: NetServer, port: number, host: string): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address();
  return typeof addr === 'object' && addr ? addr.port : port;
}

/** `0.0.0.0`, `::` or empty: every interface. */
export function isWildcard(host: string): boolean {
  return host === '' || host === '0.0.0.0' || host === '::' || host === '[::]';
}

export function hostUrl(host: string, port: number): string {
  return host.includes(':') && !host.startsWith('[') ? `http://[${host}]:${port}` : `http://${host}:${port}`;
}

/** The addresses a listener on host:port really answers on (every interface's, for a wildcard host), for the log. */
export function listenUrls(host: string, port: number): string[] {
  if (!isWildcard(host)) return [hostUrl(host === 'localhost' ? '127.0.0.1' : host, port)];
  const v6 = host.includes(':');
  const out: string[] = [];
  for (const list of Object.values(networkInterfaces()))
    for (const a of list ?? []) if (a.family === 'IPv4' || v6) out.push(hostUrl(a.address, port));
  return out.length > 0 ? out : [hostUrl('127.0.0.1', port)];
}
