import { afterAll, beforeAll } from 'vitest';
import type { SmtpCatcher } from '../helpers/smtp-catcher.js';
import type { TestApp } from '../helpers/test-app.js';
import { createPostgresDatabase, type TestDatabase } from '../helpers/test-database.js';
import { createVhost, type TestVhost } from './rabbit-broker.js';

export interface AppOnRabbitMq {
  readonly app: TestApp;
  readonly vhost: TestVhost;
}

/**
 * For the calling test file: a fresh vhost and PostgreSQL database, and the app `build` makes on
 * them (`config` carries the vhost's AMQP_URL), made before its tests and removed after; with
 * `smtp`, that catcher is started first and stopped last.
 */
export function useAppOnRabbitMq(
  build: (on: { testDatabase: TestDatabase; config: { AMQP_URL: string } }) => Promise<TestApp>,
  smtp?: SmtpCatcher,
): AppOnRabbitMq {
  let vhost: TestVhost | undefined;
  let testDatabase: TestDatabase | undefined;
  let app: TestApp | undefined;
  beforeAll(async () => {
    await smtp?.start();
    vhost = await createVhost();
    testDatabase = await createPostgresDatabase();
    app = await build({ testDatabase, config: { AMQP_URL: vhost.url } });
  });
  afterAll(async () => {
    await app?.close();
    await testDatabase?.drop();
    await vhost?.drop();
    await smtp?.stop();
  });
  return {
    get app() {
      if (!app) throw new Error('the app is built in beforeAll');
      return app;
    },
    get vhost() {
      if (!vhost) throw new Error('the vhost is made in beforeAll');
      return vhost;
    },
  };
}
