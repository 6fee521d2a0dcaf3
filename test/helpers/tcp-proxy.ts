import { createConnection, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy the test controls, between the app and PostgreSQL: it can refuse new connections
 * (nothing listens on its port, as when the database is down) and cut the ones it carries, with a
 * clean close (FIN) or a reset (RST). The machine's PostgreSQL is never stopped: other worktrees
 * test on it at the same time.
 */
export interface TcpProxy {
  /** The proxy's port on 127.0.0.1. */
  readonly port: number;
  /** `url` with its host and port replaced by the proxy's. */
  url(url: string): string;
  /** Connections open through the proxy now. */
  readonly connections: number;
  /** Stops listening: new connections are refused. Existing ones are cut too unless `keep`. */
  refuse(options?: { keep?: boolean }): Promise<void>;
  /** Listens again on the same port. */
  accept(): Promise<void>;
  /** Cuts every connection carried now: `end` closes cleanly, `reset` sends an RST. */
  cut(how?: 'end' | 'reset'): void;
  /**
   * Resets the next connection when its client sends its `chunk`-th piece of data (1: the first),
   * instead of passing it on: a connection lost at a chosen step of the protocol.
   */
  resetNextAt(chunk: number): void;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host?: string; port: number }, port = 0): Promise<TcpProxy> {
  const pairs = new Set<[Socket, Socket]>();
  let server: Server | undefined;
  let listeningPort = port;
  let resetAt: number | undefined;

  const handle = (client: Socket) => {
    const upstream = createConnection({ host: target.host ?? '127.0.0.1', port: target.port });
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    const drop = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    const failAt = resetAt;
    resetAt = undefined;
    if (failAt === undefined) {
      client.pipe(upstream);
    } else {
      let chunks = 0;
      client.on('data', (data) => {
        if (++chunks < failAt) return void upstream.write(data);
        pairs.delete(pair);
        client.resetAndDestroy();
        upstream.destroy();
      });
    }
    upstream.pipe(client);
  };

  const listen = async () => {
    for (let attempt = 0; ; attempt++) {
      const next = createServer(handle);
      try {
        await new Promise<void>((resolve, reject) => {
          next.once('error', reject);
          next.listen(listeningPort, '127.0.0.1', () => resolve());
        });
        listeningPort = (next.address() as { port: number }).port;
        server = next;
        return;
      } catch (error) {
        // The port closed a moment ago may not be free yet.
        if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt >= 50) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  };

  const cut = (how: 'end' | 'reset' = 'reset') => {
    for (const pair of [...pairs]) {
      pairs.delete(pair);
      const [client, upstream] = pair;
      if (how === 'reset') client.resetAndDestroy();
      else client.end();
      upstream.destroy();
    }
  };

  /** Closes the listening socket at once; connections carried on are left to `cut`. */
  const stopListening = () => {
    server?.close();
    server = undefined;
  };

  await listen();
  return {
    get port() {
      return listeningPort;
    },
    get connections() {
      return pairs.size;
    },
    url(url) {
      const parsed = new URL(url);
      parsed.hostname = '127.0.0.1';
      parsed.port = String(listeningPort);
      return parsed.toString();
    },
    async refuse(options = {}) {
      stopListening();
      if (!options.keep) cut('reset');
    },
    async accept() {
      if (!server) await listen();
    },
    cut,
    resetNextAt(chunk) {
      resetAt = chunk;
    },
    async close() {
      stopListening();
      cut('reset');
    },
  };
}
