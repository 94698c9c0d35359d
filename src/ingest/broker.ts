import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, isIP, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import type { Aedes, AuthenticateError, Client, PublishPacket, Subscription } from 'aedes';
import { listenOn } from '../core/listen.js';
import type { Logger } from '../core/log.js';
import type { Metrics } from '../core/metrics.js';
import type { Service } from '../core/service.js';
import { type AclEntry, expand, filterCovers, sensorMaySubscribe, topicMatches } from './broker-acl.js';
import { BrokerUsers, safeEqual } from './broker-auth.js';
import { guardPacketSize } from './packet-guard.js';

export type { AclEntry } from './broker-acl.js';

/** How the embedded broker protects itself (DESIGN §4, docs/security.md). */
export interface BrokerSecurity {
  /** network listeners accept clients without a user name only when true */
  allowAnonymous: boolean;
  /** mosquitto_passwd file: re-read when it changes, so `mosquitto_passwd` edits apply at the next connect */
  passwordFile: string | null;
  /** KAITEKI_BROKER_USERS text: `name:password,…` */
  envUsers?: string;
  acl: AclEntry[];
  tls: { host: string; port: number | null; cert: string | null; key: string | null };
  maxConnectionsPerAddress: number;
  /** largest MQTT packet accepted (remaining length); larger ones close the connection before they are read */
  maxPacketBytes: number;
  /** Kaiteki's own client id: only the internal login may use it */
  reservedClientId?: string;
  /** topic filters a sensor user may publish to (where Kaiteki listens); read at every check, so confirmed devices count */
  sensorPublish: () => string[];
  metrics?: Metrics;
}

/** Who a connected client is. `local`: anonymous on a loopback-only listener (this machine), full rights. */
type Principal =
  | { kind: 'internal' }
  | { kind: 'local' }
  | { kind: 'anonymous' }
  | { kind: 'user'; name: string; acl?: AclEntry };

export type RefusalReason =
  | 'anonymous'
  | 'bad_credentials'
  | 'reserved_client_id'
  | 'publish_acl'
  | 'subscribe_acl'
  | 'packet_too_large'
  | 'too_many_connections';

interface ConnInfo {
  listener: 'plain' | 'tls';
  /** the listener is bound to loopback only */
  loopback: boolean;
  address: string;
}

const INTERNAL_USER = 'kaiteki-internal';

/** Header room on top of the payload limit: fixed header, topic, MQTT 5 properties. */
export const PACKET_SLACK_BYTES = 4096;

/**
 * The embedded MQTT broker (aedes) used when no broker URL is configured, so
 * real sensors can publish straight to Kaiteki. Secure by default, as
 * Mosquitto 2.0: bound to loopback (anonymous allowed, this machine only)
 * until a network address is configured; a network or TLS listener requires a
 * user from the password file or KAITEKI_BROKER_USERS (anonymous only when
 * `allowAnonymous` is set on purpose), and a user gets sensor rights: publish
 * where Kaiteki listens, no subscription to `#`. Kaiteki's own client logs in
 * with a random per-start password; any other client using its client id is
 * refused. Packets over `maxPacketBytes` are cut off from their length header,
 * before their body is buffered. Every refusal is one log line and counts in
 * `kaiteki_broker_refused_total{reason}`. In-memory persistence.
 */
export class EmbeddedBroker implements Service {
  readonly name = 'broker';
  private broker?: Aedes;
  private servers: Server[] = [];
  private boundPort = 0;
  private boundTlsPort = 0;
  private readonly internalPassword = randomBytes(24).toString('base64url');
  private readonly principals = new WeakMap<object, Principal>();
  private readonly conns = new WeakMap<object, ConnInfo>();
  private readonly perAddress = new Map<string, number>();
  private readonly users: BrokerUsers;
  private readonly sec: BrokerSecurity;
  private readonly mRefused;
  private filterCache?: { at: number; filters: string[] };

  constructor(
    private readonly host: string,
    private readonly port: number,
    private readonly log: Logger,
    security: Partial<BrokerSecurity> = {},
  ) {
    this.sec = {
      allowAnonymous: false,
      passwordFile: null,
      acl: [],
      tls: { host: '0.0.0.0', port: null, cert: null, key: null },
      maxConnectionsPerAddress: 64,
      maxPacketBytes: 64 * 1024 + PACKET_SLACK_BYTES,
      sensorPublish: () => [],
      ...security,
    };
    this.users = new BrokerUsers(this.sec.passwordFile, this.sec.envUsers, log);
    this.mRefused = this.sec.metrics?.counter(
      'kaiteki_broker_refused_total',
      'Embedded broker refusals: connections, publishes and subscriptions, by reason',
      ['reason'],
    );
    for (const r of [
      'anonymous',
      'bad_credentials',
      'reserved_client_id',
      'publish_acl',
      'subscribe_acl',
      'packet_too_large',
      'too_many_connections',
    ] satisfies RefusalReason[]) {
      this.mRefused?.inc({ reason: r }, 0);
    }
  }

  /** The login Kaiteki's own MQTT client uses (random per start; never leaves the process). */
  get internalLogin(): { username: string; password: string } {
    return { username: INTERNAL_USER, password: this.internalPassword };
  }

  async start(): Promise<void> {
    this.users.start();
    const tls = this.sec.tls;
    if (tls.port !== null && (!tls.cert || !tls.key)) {
      throw new Error('mqtt.embedded.tls: a TLS listener needs both cert and key (PEM file paths)');
    }
    // Loaded here, not at import: a site on its own broker never needs aedes (~13 MB).
    const { Aedes: Broker } = await import('aedes');
    this.broker = await Broker.createBroker({
      connectTimeout: 10_000,
      authenticate: (client, username, password, done) => this.authenticate(client, username, password, done),
      authorizePublish: (client, packet, done) => this.authorizePublish(client, packet, done),
      authorizeSubscribe: (client, sub, done) => this.authorizeSubscribe(client, sub, done),
    });
    this.broker.on('clientError', (client, err) =>
      this.log.debug({ client: client.id, err: err.message }, 'client error'),
    );
    const plainLoopback = isLoopback(this.host);
    const plain = createServer((sock) => this.accept(sock, { listener: 'plain', loopback: plainLoopback }));
    this.boundPort = await this.listen(plain, this.port, this.host);
    this.log.info(
      {
        host: this.host,
        port: this.boundPort,
        auth: plainLoopback ? 'loopback only (anonymous allowed)' : this.authMode(),
      },
      'embedded MQTT broker listening',
    );
    const network = !plainLoopback || tls.port !== null;
    if (network && this.sec.allowAnonymous) {
      this.log.warn('anonymous MQTT clients are allowed on a network listener (allowAnonymous: true)');
    } else if (network && this.users.size === 0) {
      this.log.warn(
        'network MQTT listener without any users: sensors cannot connect (set mqtt.embedded.passwordFile or KAITEKI_BROKER_USERS)',
      );
    }
    if (tls.port !== null) {
      const server = createTlsServer({ cert: readFileSync(tls.cert!), key: readFileSync(tls.key!) }, (sock) =>
        this.accept(sock, { listener: 'tls', loopback: false }),
      );
      this.boundTlsPort = await this.listen(server, tls.port, tls.host);
      this.log.info(
        { host: tls.host, port: this.boundTlsPort, auth: this.authMode() },
        'embedded MQTT broker listening (TLS)',
      );
    }
  }

  private authMode(): string {
    return this.sec.allowAnonymous ? 'users, or anonymous (allowAnonymous: true)' : 'users required';
  }

  private async listen(server: Server, port: number, host: string): Promise<number> {
    this.servers.push(server);
    return listenOn(server, port, host);
  }

  /** mqtt:// URL for Kaiteki's own client on this machine */
  get url(): string {
    const wildcard = this.host === '0.0.0.0' || this.host === '::' || this.host === '';
    const host = wildcard ? '127.0.0.1' : this.host.includes(':') ? `[${this.host}]` : this.host;
    return `mqtt://${host}:${this.boundPort}`;
  }

  /** where the plain listener is bound (after start) */
  get address(): { host: string; port: number } {
    const a = this.servers[0]?.address();
    return typeof a === 'object' && a ? { host: a.address, port: a.port } : { host: this.host, port: 0 };
  }

  /** port of the TLS listener (0 when none) */
  get tlsPort(): number {
    return this.boundTlsPort;
  }

  async stop(): Promise<void> {
    // Close the broker first: it disconnects its clients, so the listening sockets can then close.
    const broker = this.broker;
    this.broker = undefined;
    if (broker) await new Promise<void>((resolve) => broker.close(() => resolve()));
    const servers = this.servers;
    this.servers = [];
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }

  // ——— connections ———

  private accept(sock: Socket, l: Omit<ConnInfo, 'address'>): void {
    const broker = this.broker;
    if (!broker) {
      sock.destroy();
      return;
    }
    const address = normaliseAddress(sock.remoteAddress ?? '?');
    const n = (this.perAddress.get(address) ?? 0) + 1;
    if (n > this.sec.maxConnectionsPerAddress) {
      this.refuse('too_many_connections', { address, limit: this.sec.maxConnectionsPerAddress });
      sock.destroy();
      return;
    }
    this.perAddress.set(address, n);
    sock.once('close', () => {
      const left = (this.perAddress.get(address) ?? 1) - 1;
      if (left <= 0) this.perAddress.delete(address);
      else this.perAddress.set(address, left);
    });
    this.conns.set(sock, { ...l, address });
    guardPacketSize(sock, this.sec.maxPacketBytes, () => {
      const client = (sock as unknown as { client?: Client }).client;
      this.refuse('packet_too_large', {
        address,
        client: client?.id ?? undefined,
        limit: this.sec.maxPacketBytes,
      });
    });
    broker.handle(sock);
  }

  private authenticate(
    client: Client,
    username: string | undefined,
    password: Buffer | undefined,
    done: (error: AuthenticateError | null, success: boolean | null) => void,
  ): void {
    const conn = this.conns.get(client.conn) ?? { listener: 'plain', loopback: false, address: '?' };
    const ctx = { client: client.id, user: username, address: conn.address, listener: conn.listener };
    const deny = (reason: RefusalReason, code: 2 | 4 | 5): void => {
      this.refuse(reason, ctx);
      const err = new Error(reason.replaceAll('_', ' ')) as AuthenticateError;
      (err as { returnCode: number }).returnCode = code;
      done(err, false);
    };
    if (username === INTERNAL_USER) {
      if (password && safeEqual(password, Buffer.from(this.internalPassword))) {
        this.principals.set(client, { kind: 'internal' });
        done(null, true);
      } else deny('bad_credentials', 4);
      return;
    }
    if (this.sec.reservedClientId !== undefined && client.id === this.sec.reservedClientId) {
      deny('reserved_client_id', 2);
      return;
    }
    if (username === undefined || username === '') {
      if (conn.loopback) this.principals.set(client, { kind: 'local' });
      else if (this.sec.allowAnonymous) this.principals.set(client, { kind: 'anonymous' });
      else {
        deny('anonymous', 5);
        return;
      }
      done(null, true);
      return;
    }
    const pw = password ?? Buffer.alloc(0);
    this.users.check(username, pw).then(
      (ok) => {
        if (!ok) {
          deny('bad_credentials', 4);
          return;
        }
        const acl = this.sec.acl.find((a) => a.user === username);
        this.principals.set(client, { kind: 'user', name: username, ...(acl ? { acl } : {}) });
        done(null, true);
      },
      (err: unknown) => {
        this.log.error({ err: (err as Error).message }, 'password check failed');
        deny('bad_credentials', 4);
      },
    );
  }

  // ——— access control ———

  private authorizePublish(
    client: Client | null,
    packet: PublishPacket,
    done: (error?: Error | null) => void,
  ): void {
    if (!client) {
      done(null);
      return;
    }
    const p = this.principals.get(client);
    if (p?.kind === 'internal' || p?.kind === 'local') {
      done(null);
      return;
    }
    const user = p?.kind === 'user' ? p.name : '';
    const filters =
      p?.kind === 'user' && p.acl ? expand(p.acl.publish, user, client.id) : this.sensorFilters();
    if (filters.some((f) => topicMatches(f, packet.topic))) {
      done(null);
      return;
    }
    this.refuse('publish_acl', {
      client: client.id,
      user: user || undefined,
      topic: packet.topic.slice(0, 200),
      address: this.conns.get(client.conn)?.address,
    });
    done(new Error('publish not authorized'));
  }

  /** The sensor publish filters, recomputed at most once a second (a confirmed device adds topics). */
  private sensorFilters(): string[] {
    const now = Date.now();
    if (!this.filterCache || now - this.filterCache.at > 1000) {
      this.filterCache = { at: now, filters: this.sec.sensorPublish() };
    }
    return this.filterCache.filters;
  }

  private authorizeSubscribe(
    client: Client,
    sub: Subscription,
    done: (error: Error | null, subscription?: Subscription | null) => void,
  ): void {
    const p = this.principals.get(client);
    if (p?.kind === 'internal' || p?.kind === 'local') {
      done(null, sub);
      return;
    }
    const user = p?.kind === 'user' ? p.name : '';
    const ok =
      p?.kind === 'user' && p.acl
        ? expand(p.acl.subscribe, user, client.id).some((f) => filterCovers(f, sub.topic))
        : sensorMaySubscribe(sub.topic);
    if (ok) {
      done(null, sub);
      return;
    }
    this.refuse('subscribe_acl', {
      client: client.id,
      user: user || undefined,
      topic: sub.topic.slice(0, 200),
      address: this.conns.get(client.conn)?.address,
    });
    done(null, null); // granted 0x80: refused, the connection stays
  }

  private refuse(reason: RefusalReason, detail: Record<string, unknown>): void {
    this.mRefused?.inc({ reason });
    this.log.warn({ reason, ...detail }, `broker refused: ${reason.replaceAll('_', ' ')}`);
  }
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || (isIP(host) === 4 && host.startsWith('127.'));
}

function normaliseAddress(a: string): string {
  return a.startsWith('::ffff:') ? a.slice(7) : a;
}
