import { createServer, type Server } from 'node:net';
import type { Aedes } from 'aedes';
import type { Logger } from '../core/log.js';
import type { Service } from '../core/service.js';

/**
 * The embedded MQTT broker (aedes) used when no broker URL is configured, so
 * real sensors can publish straight to Kaiteki. In-memory persistence: fine
 * for one building's sensors; production sites point `mqtt.url` at mosquitto
 * or a clustered broker.
 */
export class EmbeddedBroker implements Service {
  readonly name = 'broker';
  private broker?: Aedes;
  private server?: Server;
  private boundPort = 0;

  constructor(
    private readonly host: string,
    private readonly port: number,
    private readonly log: Logger,
  ) {}

  async start(): Promise<void> {
    // Loaded here, not at import: a site on its own broker never needs aedes (~13 MB).
    const { Aedes: Broker } = await import('aedes');
    this.broker = await Broker.createBroker();
    this.broker.on('clientError', (client, err) =>
      this.log.debug({ client: client.id, err: err.message }, 'client error'),
    );
    const server = createServer(this.broker.handle);
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, this.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const addr = server.address();
    this.boundPort = typeof addr === 'object' && addr ? addr.port : this.port;
    this.log.info({ host: this.host, port: this.boundPort }, 'embedded MQTT broker listening');
  }

  /** mqtt:// URL for clients on this machine */
  get url(): string {
    return `mqtt://127.0.0.1:${this.boundPort}`;
  }

  async stop(): Promise<void> {
    // Close the broker first: it disconnects its clients, so the listening socket can then close.
    const broker = this.broker;
    this.broker = undefined;
    if (broker) await new Promise<void>((resolve) => broker.close(() => resolve()));
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
