import type { Socket } from 'node:net';

/**
 * Reads MQTT fixed headers as bytes arrive on `sock` and destroys the
 * connection when a packet announces a remaining length over `maxBytes` (or a
 * malformed length): its body is never buffered (aedes would collect a whole
 * packet before looking at it). `onTooBig` is called once, before the socket
 * is destroyed.
 */
export function guardPacketSize(sock: Socket, maxBytes: number, onTooBig: () => void): void {
  let state: 'type' | 'len' | 'body' = 'type';
  let remaining = 0;
  let mult = 1;
  let lenBytes = 0;
  const tooBig = (chunk: Buffer): boolean => {
    let i = 0;
    while (i < chunk.length) {
      if (state === 'body') {
        const take = Math.min(remaining, chunk.length - i);
        remaining -= take;
        i += take;
        if (remaining === 0) state = 'type';
      } else if (state === 'type') {
        i++;
        state = 'len';
        remaining = 0;
        mult = 1;
        lenBytes = 0;
      } else {
        const b = chunk[i++]!;
        remaining += (b & 0x7f) * mult;
        mult *= 128;
        lenBytes++;
        if (remaining > maxBytes) return true;
        if ((b & 0x80) === 0) state = remaining > 0 ? 'body' : 'type';
        else if (lenBytes === 4) return true; // malformed length; the parser would refuse it too
      }
    }
    return false;
  };
  // Incoming data reaches the stream through push(); checking there sees every byte before any reader does.
  const push = sock.push.bind(sock);
  sock.push = (chunk: unknown, encoding?: BufferEncoding): boolean => {
    if (Buffer.isBuffer(chunk) && !sock.destroyed && tooBig(chunk)) {
      onTooBig();
      sock.destroy();
      return false;
    }
    return push(chunk, encoding);
  };
}
