// The ingest benchmark's WebSocket server, run as a child process so its CPU time is not on the
// measured process (the machine has two cores): it speaks just enough of Kraken's WebSocket v2
// (the upgrade, `subscribe` acknowledgements, pongs) and, when the parent says so over IPC,
// writes `count` ticker messages as one run of pre-built frames, as fast as the client reads
// them. The frames are built once, so the server spends nearly nothing per message.
//
//   node ws-ingest-server.mjs <count> <seed>   (prints nothing; sends { type: 'listening', port })
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import { tickerMessages } from './ws-ingest-fixture.mjs';

const count = Number(process.argv[2]);
const seed = Number(process.argv[3] ?? 1);
if (!Number.isSafeInteger(count) || count < 1) throw new Error(`ws-ingest-server count: received ${process.argv[2]}, expected a whole number >= 1`);

/** A server-to-client text frame (unmasked, RFC 6455 §5.2). */
function frame(text, opcode = 0x1) {
  const payload = Buffer.from(text, 'utf8');
  const length = payload.length;
  const header = length < 126 ? Buffer.from([0x80 | opcode, length]) : length < 65536 ? Buffer.from([0x80 | opcode, 126, length >> 8, length & 0xff]) : undefined;
  if (header === undefined) throw new Error(`ws-ingest-server: a ${length}-byte message is larger than this server writes`);
  return Buffer.concat([header, payload]);
}

const stream = Buffer.concat(tickerMessages(count, seed).texts.map((text) => frame(text)));

/** Reads the client's masked frames from `chunks`; calls `onFrame(opcode, payload)` for each whole one. */
function frameReader(onFrame) {
  let pending = Buffer.alloc(0);
  return (chunk) => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    for (;;) {
      if (pending.length < 2) return;
      const opcode = pending[0] & 0x0f;
      let length = pending[1] & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (pending.length < 4) return;
        length = pending.readUInt16BE(2);
        offset = 4;
      } else if (length === 127) {
        if (pending.length < 10) return;
        length = Number(pending.readBigUInt64BE(2));
        offset = 10;
      }
      const masked = (pending[1] & 0x80) !== 0;
      const end = offset + (masked ? 4 : 0) + length;
      if (pending.length < end) return;
      const payload = Buffer.from(pending.subarray(end - length, end));
      if (masked) for (let index = 0; index < length; index++) payload[index] ^= pending[offset + (index & 3)];
      pending = pending.subarray(end);
      onFrame(opcode, payload);
    }
  };
}

let client;
const server = createServer((request, response) => response.writeHead(426).end());
server.on('upgrade', (request, socket) => {
  const accept = createHash('sha1').update(`${request.headers['sec-websocket-key']}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
  socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
  socket.setNoDelay(true);
  client = socket;
  socket.on('error', () => {});
  socket.on(
    'data',
    frameReader((opcode, payload) => {
      if (opcode === 0x8) return socket.end(frame('', 0x8));
      if (opcode === 0x9) return socket.write(frame(payload.toString('latin1'), 0xa));
      if (opcode !== 0x1) return undefined;
      const request = JSON.parse(payload.toString('utf8'));
      const now = new Date().toISOString();
      if (request.method === 'subscribe' || request.method === 'unsubscribe') {
        for (const symbol of request.params?.symbol ?? [undefined]) {
          const result = { channel: request.params?.channel, ...(symbol === undefined ? {} : { symbol }) };
          socket.write(frame(JSON.stringify({ method: request.method, req_id: request.req_id, result, success: true, time_in: now, time_out: now })));
        }
      } else {
        socket.write(frame(JSON.stringify({ method: request.method === 'ping' ? 'pong' : request.method, req_id: request.req_id, success: true, time_in: now, time_out: now })));
      }
      return undefined;
    }),
  );
});

process.on('message', (message) => {
  if (message?.type === 'stream') {
    if (client === undefined) process.send({ type: 'error', message: 'stream requested before a client connected' });
    else client.write(stream);
  } else if (message?.type === 'stop') {
    server.close();
    client?.destroy();
    process.disconnect();
  }
});

server.listen(0, '127.0.0.1', () => process.send({ type: 'listening', port: server.address().port }));
