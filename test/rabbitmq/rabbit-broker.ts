import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { connect, type GetMessage } from 'amqplib';
import { pino } from 'pino';
import { AMQP_ADMIN_URL } from '../helpers/services.js';

const run = promisify(execFile);

/** The broker's own CLI: vhosts without the management plugin, and the faults the tests inject. */
export async function rabbitmqctl(...args: string[]): Promise<string> {
  const { stdout } = await run('rabbitmqctl', ['--quiet', ...args], { timeout: 120_000 });
  return stdout;
}

export interface TestVhost {
  name: string;
  /** AMQP URL of the vhost, for the bus or `AMQP_URL`. */
  url: string;
  drop(): Promise<void>;
}

/** A fresh vhost per test file, so that queues and messages never leak between files. */
export async function createVhost(): Promise<TestVhost> {
  const name = `mascotas_test_${randomBytes(5).toString('hex')}`;
  await rabbitmqctl('add_vhost', name);
  await rabbitmqctl('set_permissions', '-p', name, 'guest', '.*', '.*', '.*');
  const url = new URL(AMQP_ADMIN_URL);
  url.pathname = `/${encodeURIComponent(name)}`;
  return {
    name,
    url: url.toString(),
    drop: async () => {
      await rabbitmqctl('delete_vhost', name);
    },
  };
}

export const broker = {
  closeConnections: (vhost: string) => rabbitmqctl('close_all_connections', '--vhost', vhost, 'test fault'),
  stopApp: () => rabbitmqctl('stop_app'),
  async startApp(): Promise<void> {
    await rabbitmqctl('start_app');
    await rabbitmqctl('await_startup');
  },
};

/** Every message in `queue`, looked at and left in place (unacked, then returned when the channel closes). */
export async function peekQueue(url: string, queue: string): Promise<GetMessage[]> {
  const connection = await connect(url);
  try {
    const channel = await connection.createChannel();
    const messages: GetMessage[] = [];
    for (;;) {
      const message = await channel.get(queue, { noAck: false });
      if (message === false) break;
      messages.push(message);
    }
    return messages;
  } finally {
    await connection.close();
  }
}

export async function queueDepth(url: string, queue: string): Promise<number> {
  const connection = await connect(url);
  try {
    const channel = await connection.createChannel();
    return (await channel.checkQueue(queue)).messageCount;
  } finally {
    await connection.close();
  }
}

export const silentLogger = pino({ level: 'silent' });

export const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
