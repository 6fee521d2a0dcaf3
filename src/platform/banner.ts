import { resolve } from 'node:path';
import type { Config } from './config.js';
import { mailDestination } from './mail/mail-transport.js';

/** Where the data lives, without the credentials a URL may hold. */
function dataLocation(config: Config): string {
  if (config.DATABASE_URL === 'memory://') return 'in-memory PGlite (nothing is kept)';
  if (config.DATABASE_URL) {
    const url = new URL(config.DATABASE_URL);
    return `PostgreSQL at ${url.host}${url.pathname}`;
  }
  return `embedded PostgreSQL (PGlite) in ${resolve(config.DATA_DIR, 'pglite')}`;
}

function eventsLocation(config: Config): string {
  if (!config.AMQP_URL) return 'in-memory bus';
  const url = new URL(config.AMQP_URL);
  return `RabbitMQ at ${url.host}${url.pathname === '' ? '/' : url.pathname}`;
}

/**
 * What the server says once it listens: where to send requests, read the docs and probe health,
 * and where the data lives. Several lines for a person (pretty logs), one for a log shipper.
 */
export function listenText(config: Config, address: string): string {
  const facts: [string, string][] = [
    ['API', `${address}/api/<module> (users, categories, products, cart, orders, reviews)`],
    ['Docs', `${address}/docs`],
    ['Health', `${address}/health/ready`],
    ['Data', dataLocation(config)],
    ['Events', eventsLocation(config)],
    ['Mail', mailDestination(config)],
  ];
  if (config.logFormat === 'json') {
    return `Server listening at ${address}; ${facts.map(([name, value]) => `${name.toLowerCase()}: ${value}`).join('; ')}`;
  }
  const lines = facts.map(([name, value]) => `  ${name.padEnd(7)} ${value}`);
  return [`Mascotas is listening at ${address}`, ...lines].join('\n');
}
