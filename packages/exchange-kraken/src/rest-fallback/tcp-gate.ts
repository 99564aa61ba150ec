import { createConnection, createServer, type Server, type Socket } from 'node:net';

/**
 * For tests (not part of the package's API): a TCP relay on loopback in front of another
 * loopback port, that can be shut like a blocked port. While shut it cuts the relayed
 * connections and hangs up on new ones at once, so a WebSocket client sees its socket drop and
 * every reconnect attempt fail, as during an outage; `open()` lets connections through again.
 * The simulator's `dropConnections()` alone cannot do this: its clients reconnect at once.
 */
export class TcpGate {
  readonly port: number;
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  #shut = false;
  #refused = 0;

  private constructor(server: Server, port: number) {
    this.#server = server;
    this.port = port;
  }

  /** Starts a relay to `127.0.0.1:<targetPort>` on a free loopback port. */
  static async start(targetPort: number): Promise<TcpGate> {
    let gate: TcpGate | undefined;
    const server = createServer((client) => gate!.#accept(client, targetPort));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('tcp gate: expected a TCP address');
    gate = new TcpGate(server, address.port);
    return gate;
  }

  /** Connections hung up on while shut. */
  get refused(): number {
    return this.#refused;
  }

  /** Cuts every relayed connection and hangs up on new ones. */
  shut(): void {
    this.#shut = true;
    for (const socket of this.#sockets) socket.destroy();
    this.#sockets.clear();
  }

  open(): void {
    this.#shut = false;
  }

  async close(): Promise<void> {
    this.shut();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #accept(client: Socket, targetPort: number): void {
    if (this.#shut) {
      this.#refused += 1;
      client.destroy();
      return;
    }
    const upstream = createConnection({ host: '127.0.0.1', port: targetPort });
    for (const socket of [client, upstream]) {
      this.#sockets.add(socket);
      socket.on('error', () => undefined); // a cut relay errors on both ends; the close handles it
      socket.on('close', () => {
        this.#sockets.delete(socket);
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream);
    upstream.pipe(client);
  }
}
