import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigSchema } from '../../src/platform/config.js';
import { buildTestApp, type TestApp } from '../helpers/test-app.js';
import {
  appServices,
  type ComposeProject,
  environmentOf,
  loadComposeProject,
  operatorEnvironment,
} from './compose-config.js';
import { dockerfileEnvironment } from './deployment-checks.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const OPERATOR_ENV = operatorEnvironment(ROOT);
const DEPLOYMENTS = [
  { name: 'single', files: ['docker-compose.yml'] },
  { name: 'split', files: ['docker-compose.yml', 'docker-compose.split.yml'] },
] as const;

function project(files: readonly string[]): ComposeProject {
  return loadComposeProject(
    files.map((file) => `${ROOT}${file}`),
    { directory: ROOT, variables: OPERATOR_ENV },
  );
}

interface NetworkSettings {
  networks?: Record<string, { ipv4_address?: string } | null>;
}

/** Kong's fixed address on the compose network, and the network's subnet and dynamic range. */
function kongNetwork(compose: ComposeProject) {
  const kong = compose.merged.services.kong as NetworkSettings;
  const address = kong.networks?.default?.ipv4_address;
  const ipam = (
    compose.merged.networks as { default?: { ipam?: { config?: { subnet?: string; ip_range?: string }[] } } }
  )?.default?.ipam?.config?.[0];
  return { address, subnet: ipam?.subnet, range: ipam?.ip_range };
}

function toNumber(address: string): number {
  return address.split('.').reduce((sum, part) => sum * 256 + Number(part), 0);
}

function inCidr(address: string, cidr: string): boolean {
  const [base = '', bits = '32'] = cidr.split('/');
  const size = 2 ** (32 - Number(bits));
  return Math.floor(toNumber(address) / size) === Math.floor(toNumber(base) / size);
}

/**
 * The app as compose configures an app service: the image's ENV, then the service's environment
 * with an operator's .env, every other variable at its default. Only the database (this test's)
 * and the broker (in memory) differ, and the logs are quiet.
 */
function composeConfig(compose: ComposeProject, service: string): Record<string, string | undefined> {
  const environment: Record<string, string | undefined> = Object.fromEntries(
    Object.keys(ConfigSchema.properties).map((name) => [name, undefined]),
  );
  Object.assign(
    environment,
    dockerfileEnvironment(`${ROOT}Dockerfile`),
    environmentOf(compose.merged.services[service]!),
  );
  return { ...environment, DATABASE_URL: undefined, AMQP_URL: undefined, LOG_LEVEL: 'silent' };
}

describe.each(DEPLOYMENTS)('the $name deployment: whose X-Forwarded-For the app believes', ({ files }) => {
  it('when compose runs, then Kong has a fixed address inside the network, outside the range others get, and every app trusts only it', () => {
    const compose = project(files);
    const { address, subnet, range } = kongNetwork(compose);
    expect(address).toMatch(/^\d+\.\d+\.\d+\.\d+$/u);
    expect(inCidr(address!, subnet!)).toBe(true);
    expect(inCidr(address!, range!)).toBe(false);
    const trusted = appServices(compose).map(
      (service) => environmentOf(compose.merged.services[service]!).TRUST_PROXY,
    );
    expect(trusted).toEqual(appServices(compose).map(() => address));
  });
});

describe('login throttling on the app exactly as compose configures it, behind Kong', () => {
  const compose = project(DEPLOYMENTS[0].files);
  const kong = kongNetwork(compose).address!;
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp({ config: composeConfig(compose, 'app') });
  });
  afterAll(async () => t?.close());

  /** A request as Kong forwards it: from Kong's address, the client's X-Forwarded-For with the address Kong saw appended. */
  const throughKong = (clientAddress: string, clientWrote: string | undefined, body: object) =>
    t.app.inject({
      method: 'POST',
      url: '/api/users/login',
      remoteAddress: kong,
      headers: { 'x-forwarded-for': clientWrote ? `${clientWrote}, ${clientAddress}` : clientAddress },
      payload: body,
    });

  let sequence = 0;
  const account = async () => {
    const username = `proxied${++sequence}`;
    const password = 'quokka marmalade tundra 7';
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/users/register',
      payload: { username, email: `${username}@mail.test`, password },
    });
    expect(created.statusCode).toBe(201);
    return { username, password };
  };

  it('when a client writes a new X-Forwarded-For on every guess, then its real address is counted: the 6th is a 429', async () => {
    const victim = await account();
    for (let guess = 0; guess < 5; guess++) {
      const wrong = await throughKong('192.0.2.50', `203.0.113.${guess}`, {
        username: victim.username,
        password: 'wrong',
      });
      expect(wrong.statusCode).toBe(401);
    }
    const blocked = await throughKong('192.0.2.50', '203.0.113.200', victim);
    expect(blocked.statusCode).toBe(429);
  });

  it("when a client names someone else's address in X-Forwarded-For, then that address is not throttled", async () => {
    const victim = await account();
    for (let guess = 0; guess < 6; guess++) {
      await throughKong('198.51.100.7', '192.0.2.99', { username: victim.username, password: 'wrong' });
    }
    const fromVictimsAddress = await throughKong('192.0.2.99', undefined, victim);
    expect(fromVictimsAddress.statusCode).toBe(200);
  });

  it('when another container (not Kong) sends a forged X-Forwarded-For, then its own address is counted', async () => {
    const victim = await account();
    const statuses: number[] = [];
    for (let guess = 0; guess < 6; guess++) {
      const response = await t.app.inject({
        method: 'POST',
        url: '/api/users/login',
        remoteAddress: '172.28.0.200',
        headers: { 'x-forwarded-for': `203.0.113.${guess}` },
        payload: { username: victim.username, password: 'wrong' },
      });
      statuses.push(response.statusCode);
    }
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
  });
});
