import { createRequire } from 'node:module';
import type { MqttClient } from 'mqtt';
import { KaitekiError } from '../core/errors.js';

/**
 * The one place Kaiteki touches an mqtt.js internal: holding PUBACKs for the
 * group commit (docs/benchmarks.md: one commit and one corked write per
 * socket read instead of one per message, 26–33 % → 51–67 % of the raw QoS 1
 * ceiling).
 *
 * Why an internal: mqtt.js hands QoS 1 packets over one at a time and reads
 * the next only after `handleMessage` calls back, then sends the PUBACK at
 * once (`handlers/publish.js`: `handleMessage(packet, () => _sendPacket({cmd:
 * 'puback'}, done))`). No public option lets the read go on while the ack
 * waits: `customHandleAcks` only picks the reason code, before
 * `handleMessage`, and only for MQTT 5 (mqttjs/MQTT.js#1299); explicit
 * acknowledgement was asked for in mqttjs/MQTT.js#691 and #209 and answered
 * with `handleMessage`, which gives per-message acks only. So the PUBACK
 * packet is caught in `_sendPacket`, its callback runs at once (mqtt.js
 * reads on), and the packet is sent after the commit.
 *
 * Guarded three ways: `mqtt` is pinned to exactly VERIFIED_MQTT in
 * package.json; `install` refuses (throws) when the installed version is
 * another one or the internal is missing; and `MqttSource` checks after every
 * QoS 1 message that its PUBACK did pass through here, so a changed mqtt.js
 * can never acknowledge early without Kaiteki saying so loudly.
 */
export const VERIFIED_MQTT = '5.16.0';

/** mqtt.js's internal packet writer */
type SendPacket = (packet: { cmd: string }, cb?: () => void, ...rest: unknown[]) => void;

export class PubackHold {
  private held: { packet: { cmd: string }; connection: number }[] = [];
  /** PUBACKs that passed through the hook (held or not): MqttSource checks it moves for every QoS 1 message */
  seen = 0;

  private constructor(
    private readonly client: MqttClient,
    private readonly send: SendPacket,
  ) {}

  /**
   * Wraps the client's packet writer. While `holding()` is true, PUBACKs are
   * kept (tagged with `connection()`) and their callbacks run at once.
   * Throws a KaitekiError when this mqtt.js is not the verified one.
   */
  static install(client: MqttClient, holding: () => boolean, connection: () => number): PubackHold {
    const version = installedMqttVersion();
    const raw = client as unknown as { _sendPacket?: SendPacket };
    if (version !== VERIFIED_MQTT || typeof raw._sendPacket !== 'function') {
      throw new KaitekiError(
        `mqtt ${version ?? '(unknown version)'} is not ${VERIFIED_MQTT}, the version whose internal _sendPacket ` +
          'the held-PUBACK group commit was verified against (src/ingest/puback-hold.ts). Pin mqtt to ' +
          `${VERIFIED_MQTT} or re-verify the hook; refusing to start rather than acknowledge before commit.`,
      );
    }
    const hold = new PubackHold(client, raw._sendPacket.bind(client));
    raw._sendPacket = (packet, cb, ...rest) => {
      if (packet.cmd === 'puback') {
        hold.seen++;
        if (holding()) {
          hold.held.push({ packet, connection: connection() });
          cb?.();
          return;
        }
      }
      hold.send(packet, cb, ...rest);
    };
    return hold;
  }

  /**
   * Sends the held PUBACKs of `connection` in one write; those of an earlier
   * connection are dropped (the broker reuses message ids after a reconnect
   * and redelivers what was not acknowledged). A plain PUBACK (success, no
   * properties) is the same four bytes in MQTT 3.1.1 and 5 (`0x40 0x02`, the
   * packet id), so they go as one buffer on the client's `stream` instead of
   * one mqtt.js packet write each (~4 % of ingest); any other goes through
   * mqtt.js.
   */
  release(connection: number): void {
    const acks = this.held;
    this.held = [];
    if (acks.length === 0) return;
    const plain: number[] = [];
    const other: { cmd: string }[] = [];
    for (const a of acks) {
      if (a.connection !== connection) continue;
      const p = a.packet as { messageId?: unknown; reasonCode?: unknown; properties?: unknown };
      if (
        typeof p.messageId === 'number' &&
        (p.reasonCode === undefined || p.reasonCode === 0) &&
        p.properties === undefined
      )
        plain.push(p.messageId);
      else other.push(a.packet);
    }
    const stream = this.client.stream;
    if (plain.length > 0) {
      if (this.client.connected && stream?.writable) {
        const buf = Buffer.allocUnsafe(plain.length * 4);
        for (let i = 0; i < plain.length; i++) {
          buf[i * 4] = 0x40;
          buf[i * 4 + 1] = 0x02;
          buf.writeUInt16BE(plain[i]!, i * 4 + 2);
        }
        stream.write(buf);
      } else {
        for (const messageId of plain) this.send({ cmd: 'puback', messageId } as { cmd: string });
      }
    }
    for (const packet of other) this.send(packet);
  }
}

function installedMqttVersion(): string | undefined {
  try {
    return (createRequire(import.meta.url)('mqtt/package.json') as { version?: string }).version;
  } catch {
    return undefined;
  }
}
