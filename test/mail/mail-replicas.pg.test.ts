import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/platform/db/database.js';
import { migrationFolders } from '../../src/platform/db/migrations.js';
import { SmtpCatcher } from '../helpers/smtp-catcher.js';
import { createPostgresDatabase, type TestDatabase } from '../helpers/test-database.js';
import {
  eventually,
  hangingTransport,
  mailRowsOf,
  pause,
  RelayPark,
  recordIn,
  resetMail,
  smtpTransport,
} from './mail-harness.js';

/** Replicas on real PostgreSQL: each with its own connections and relay, one SMTP server. */
describe('mail relays across replicas', () => {
  let testDatabase: TestDatabase;
  let replicas: [Database, Database];
  const smtp = new SmtpCatcher();
  const relays = new RelayPark();

  beforeAll(async () => {
    await smtp.start();
    testDatabase = await createPostgresDatabase();
    replicas = [await testDatabase.open(3), await testDatabase.open(3)];
    await replicas[0].migrate(migrationFolders([]));
  });
  afterEach(() => relays.stopAll());
  afterAll(async () => {
    await Promise.all((replicas ?? []).map((database) => database.close()));
    await testDatabase?.drop();
    await smtp.stop();
  });

  it('when two replicas relay the same outbox, then every mail is sent exactly once', async () => {
    smtp.delayMs = 15;
    const [first, second] = replicas;
    const a = relays.make(first, smtpTransport(smtp.url), { batchSize: 4, pollMs: 10 });
    const b = relays.make(second, smtpTransport(smtp.url), { batchSize: 4, pollMs: 10 });
    a.start();
    b.start();
    const writes = [];
    for (let n = 0; n < 60; n++)
      writes.push(recordIn(n % 2 === 0 ? first : second, resetMail(`customer${n}@shop.example`)));
    await Promise.all(writes);

    await smtp.waitFor(60, 20_000);
    await eventually(
      async () => (await mailRowsOf(first)).every((row) => row.sent),
      'every mail marked sent',
    );
    await pause(300);
    expect(smtp.received).toHaveLength(60);
    expect(new Set(smtp.received.map((mail) => mail.messageId)).size).toBe(60);
    expect(new Set(smtp.received.map((mail) => mail.to[0])).size).toBe(60);
    expect(relays.counts.sent).toBe(60);
  });

  it('when a replica is killed mid-send, then the other one sends what it had claimed, once', async () => {
    smtp.received.length = 0;
    smtp.delayMs = 0;
    const [first, second] = replicas;
    const dying = relays.make(first, hangingTransport(), { leaseMs: 400 });
    dying.start();
    await recordIn(first, resetMail('late@shop.example'));
    await eventually(async () => (await mailRowsOf(first)).some((row) => row.claimed), 'the claim');
    relays.kill(dying);

    relays.make(second, smtpTransport(smtp.url), { leaseMs: 400 }).start();
    await smtp.waitFor(1);
    await pause(600);
    expect(smtp.received.map((mail) => mail.to[0])).toEqual(['late@shop.example']);
  });
});
