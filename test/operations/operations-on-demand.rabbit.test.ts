import { describe, expect, it } from 'vitest';
import { notesModule } from '../fixtures/example-modules.js';
import { buildTestApp } from '../helpers/test-app.js';
import { eventually } from '../platform/bus-contract.js';
import { useAppOnRabbitMq } from '../rabbitmq/rabbit-app.js';
import { pause, rabbitmqctl } from '../rabbitmq/rabbit-broker.js';
import { adminEvents } from './admin-events-client.js';
import { watchingConsumer } from './watching-consumer.js';

/**
 * The app's connections on the broker: the name each gives itself (`mascotas dead letters pid …`),
 * with its client port and state, so that a failure says which connections there were.
 */
async function connectionNames(vhost: string): Promise<string[]> {
  // list_connections lists the whole node's (it takes no vhost): keep this test's vhost only, as
  // other files' apps run beside it.
  const listed = await rabbitmqctl('list_connections', 'vhost', 'peer_port', 'state', 'client_properties');
  return listed
    .split('\n')
    .map((line) => {
      const name = /"connection_name","([^"]*)"/.exec(line)?.[1];
      const [connectionVhost, port, state] = line.split('\t');
      if (connectionVhost !== vhost) return undefined;
      return name === undefined ? undefined : `${name} (port ${port}, ${state})`;
    })
    .filter((entry): entry is string => entry !== undefined);
}

/**
 * The operator's tools are above the events runtime: a booted app talks to the broker through its
 * bus alone, and the dead-letter store opens its own connection only when something asks for the
 * dead letters.
 */
describe('operations on demand', () => {
  const watcher = watchingConsumer('watchers', 'note_events');
  const on = useAppOnRabbitMq((services) =>
    buildTestApp({ modules: [notesModule, watcher.module], ...services }),
  );

  const deadLetterConnections = async () =>
    (await connectionNames(on.vhost.name)).filter((name) => name.includes('dead letters'));

  it('when the app has started and events flow, then no dead-letter connection is open; the first admin request opens one, and later requests share it', async () => {
    const t = on.app;
    await eventually(async () => (await connectionNames(on.vhost.name)).length > 0, 10_000);
    const created = await t.app.inject({ method: 'POST', url: '/api/notes', payload: { text: 'hello' } });
    expect(created.statusCode).toBe(201);
    await eventually(() => watcher.seen.length === 1, 10_000);
    await pause(200);
    expect(await deadLetterConnections()).toEqual([]);

    const admin = adminEvents(t, await t.bearer({ id: 1, isStaff: true }));
    expect((await admin.status()).bus).toBe('rabbitmq');
    await eventually(async () => (await deadLetterConnections()).length === 1, 10_000);
    await admin.status();
    const metrics = await t.app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toContain('events_dead_letters{queue="watchers.note_events"} 0');
    await pause(200);
    expect(await deadLetterConnections()).toHaveLength(1);
  });
});
