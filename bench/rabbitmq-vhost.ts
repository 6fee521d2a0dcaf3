import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { RABBITMQ_API_URL } from './bench.settings.js';

const run = promisify(execFile);

async function withRabbitmqctl(vhost: string): Promise<void> {
  await run('rabbitmqctl', ['-q', 'delete_vhost', vhost]).catch(() => {});
  await run('rabbitmqctl', ['-q', 'add_vhost', vhost]);
  await run('rabbitmqctl', ['-q', 'set_permissions', '-p', vhost, 'guest', '.*', '.*', '.*']);
}

async function withManagementApi(vhost: string): Promise<void> {
  const api = new URL(RABBITMQ_API_URL);
  const authorization = `Basic ${Buffer.from(`${decodeURIComponent(api.username)}:${decodeURIComponent(api.password)}`).toString('base64')}`;
  api.username = '';
  api.password = '';
  const base = api.toString().replace(/\/+$/, '');
  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: { authorization, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (!response.ok && !(method === 'DELETE' && response.status === 404)) {
      throw new Error(`RabbitMQ API ${method} ${path} answered ${response.status}`);
    }
  };
  const name = encodeURIComponent(vhost);
  await call('DELETE', `/vhosts/${name}`);
  await call('PUT', `/vhosts/${name}`);
  await call('PUT', `/permissions/${name}/guest`, { configure: '.*', write: '.*', read: '.*' });
}

/** A fresh vhost for the bench: nothing left over from an earlier run, nothing shared with tests. */
export async function freshVhost(vhost: string): Promise<void> {
  try {
    await withRabbitmqctl(vhost);
  } catch {
    await withManagementApi(vhost);
  }
}

export async function deleteVhost(vhost: string): Promise<void> {
  try {
    await run('rabbitmqctl', ['-q', 'delete_vhost', vhost]);
  } catch {
    const api = new URL(RABBITMQ_API_URL);
    const authorization = `Basic ${Buffer.from(`${decodeURIComponent(api.username)}:${decodeURIComponent(api.password)}`).toString('base64')}`;
    api.username = '';
    api.password = '';
    await fetch(`${api.toString().replace(/\/+$/, '')}/vhosts/${encodeURIComponent(vhost)}`, {
      method: 'DELETE',
      headers: { authorization },
    });
  }
}
