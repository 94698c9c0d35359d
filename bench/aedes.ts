/** Bench child: the embedded aedes broker (used when mosquitto is not installed), on its own event loop. */
import { silentLogger } from '../src/core/log.js';
import { EmbeddedBroker } from '../src/ingest/broker.js';
import { onCommand, reply } from './lib/child.js';

const broker = new EmbeddedBroker('127.0.0.1', 0, silentLogger);
await broker.start();
reply({ ev: 'ready', url: broker.url });
onCommand(async (msg) => {
  if (msg.cmd === 'stop') {
    await broker.stop();
    process.exit(0);
  }
});
