import AjvModule from 'ajv';
import addFormatsModule from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { ALL_MODULES } from '../../src/app.js';
import { asyncApiDocument } from '../../src/platform/http/docs.js';

const Ajv = AjvModule.default;
const addFormats = addFormatsModule.default;

interface Message {
  name: string;
  payload: object;
  examples?: { name: string; payload: unknown }[];
}
interface AsyncApi {
  servers: Record<string, { url: string; protocol: string; description?: string; variables?: object }>;
  channels: Record<string, { subscribe: { message: Message } }>;
}

describe('the AsyncAPI document', () => {
  const document = asyncApiDocument(ALL_MODULES) as unknown as AsyncApi;

  it('when it is read, then it names the RabbitMQ server, with variables and a description', () => {
    const servers = Object.values(document.servers);
    expect(servers).toHaveLength(1);
    expect(servers[0]).toMatchObject({ protocol: 'amqp', url: '{host}:{port}' });
    expect(servers[0]?.description).toBeTruthy();
    expect(Object.keys(servers[0]?.variables ?? {})).toEqual(['host', 'port']);
  });

  it('when every event is read, then it has an example message that its schema accepts', () => {
    const channels = Object.entries(document.channels);
    const published = ALL_MODULES.flatMap((module) => module.publishes?.events ?? []);
    expect(channels).toHaveLength(published.length);
    const ajv = addFormats(new Ajv({ strict: false, allErrors: true }));
    for (const [channel, { subscribe }] of channels) {
      const { examples = [], payload } = subscribe.message;
      expect(examples.length, channel).toBeGreaterThan(0);
      const validate = ajv.compile(payload);
      for (const example of examples) {
        const valid = validate(example.payload);
        expect(validate.errors ?? [], `${channel}: ${example.name}`).toEqual([]);
        expect(valid).toBe(true);
      }
    }
  });

  it('when an example breaks its schema, then the check above would see it', () => {
    const [, { subscribe }] = Object.entries(document.channels)[0]!;
    const ajv = addFormats(new Ajv({ strict: false }));
    const broken = { ...(subscribe.message.examples?.[0]?.payload as object), event_id: 'not a uuid' };
    expect(ajv.compile(subscribe.message.payload)(broken)).toBe(false);
  });
});
