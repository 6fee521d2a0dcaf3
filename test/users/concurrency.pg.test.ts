import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../helpers/test-app.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';
import {
  buildUsersApp,
  logInAsAdmin,
  PASSWORD,
  refresh,
  register,
  signUp,
  uniqueName,
} from './users-client.js';

describe('users: concurrency on PostgreSQL', () => {
  let t: TestApp;
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
    t = await buildUsersApp({ testDatabase: { ...database, open: () => database.open(8) } });
  });
  afterAll(async () => {
    await t.close();
    await database.drop();
  });

  const statuses = (answers: { statusCode: number }[]) => answers.map((answer) => answer.statusCode).sort();

  it('when the same username registers 8 times at once in different cases, then exactly one is a 201 and the rest 409', async () => {
    const username = uniqueName('Race');
    const variants = [username, username.toLowerCase(), username.toUpperCase()];
    const answers = await Promise.all(
      Array.from({ length: 8 }, (_, index) =>
        register(t, {
          username: variants[index % variants.length],
          email: `${uniqueName()}@example.com`,
          password: PASSWORD,
        }),
      ),
    );
    expect(statuses(answers)).toEqual([201, 409, 409, 409, 409, 409, 409, 409]);
    for (const answer of answers.filter((one) => one.statusCode === 409)) {
      expect(answer.json()).toMatchObject({ code: 'USERS.USERNAME_TAKEN' });
    }
  });

  it('when the same email registers 8 times at once, then exactly one is a 201 and the rest 409', async () => {
    const email = `${uniqueName()}@example.com`;
    const answers = await Promise.all(
      Array.from({ length: 8 }, (_, index) =>
        register(t, {
          username: uniqueName(),
          email: index % 2 ? email.toUpperCase() : email,
          password: PASSWORD,
        }),
      ),
    );
    expect(statuses(answers)).toEqual([201, 409, 409, 409, 409, 409, 409, 409]);
  });

  it('when one refresh token is presented twice at once, then one rotation wins and the family is revoked', async () => {
    const session = await signUp(t);
    const answers = await Promise.all([refresh(t, session.refresh), refresh(t, session.refresh)]);
    expect(statuses(answers)).toEqual([200, 401]);
    const winner = answers.find((answer) => answer.statusCode === 200)!.json();
    expect((await refresh(t, winner.refresh)).statusCode).toBe(401);
  });

  it('when refreshes race a password change or a deactivation, then no refresh token survives them', async () => {
    const admin = await logInAsAdmin(t);
    const survivors: string[] = [];
    for (let round = 0; round < 6; round++) {
      const session = await signUp(t);
      const ending =
        round % 2
          ? t.app.inject({
              method: 'POST',
              url: '/api/users/me/password',
              headers: session.headers,
              payload: { current_password: PASSWORD, new_password: 'another password' },
            })
          : t.app.inject({
              method: 'PATCH',
              url: `/api/users/${session.id}`,
              headers: admin.headers,
              payload: { is_active: false },
            });
      const [rotation, ended] = await Promise.all([refresh(t, session.refresh), ending]);
      expect(ended.statusCode).toBeLessThan(300);
      if (round % 2 === 0) {
        await t.app.inject({
          method: 'PATCH',
          url: `/api/users/${session.id}`,
          headers: admin.headers,
          payload: { is_active: true },
        });
      }
      if (rotation.statusCode === 200 && (await refresh(t, rotation.json().refresh)).statusCode === 200) {
        survivors.push(session.username);
      }
    }
    expect(survivors).toEqual([]);
  });

  it('when a stolen old token and the current one are refreshed at once, then no token of the family survives', async () => {
    const survivors: string[] = [];
    for (let round = 0; round < 6; round++) {
      const session = await signUp(t);
      const current = (await refresh(t, session.refresh)).json().refresh;
      const [stolen, honest] = await Promise.all([refresh(t, session.refresh), refresh(t, current)]);
      expect(stolen.statusCode).toBe(401);
      if (honest.statusCode === 200 && (await refresh(t, honest.json().refresh)).statusCode === 200) {
        survivors.push(session.username);
      }
    }
    expect(survivors).toEqual([]);
  });
});
