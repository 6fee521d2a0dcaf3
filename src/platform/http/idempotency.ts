import { createHash } from 'node:crypto';
import { Type } from '@sinclair/typebox';
import { and, eq } from 'drizzle-orm';
import type { Executor } from '../db/database.js';
import { ConflictError } from './errors.js';
import { idempotencyKeys } from './idempotency.tables.js';
import { ERROR_MESSAGE } from './validation-messages.js';

export const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 255,
      pattern: '^[\\x21-\\x7E]+$',
      description: 'Retry-safe request key',
      [ERROR_MESSAGE]: 'must be printable ASCII without spaces',
    }),
  ),
});

export interface IdempotentRequest {
  scope: string;
  userId: number;
  key: string | undefined;
  body: unknown;
}

/** An answer kept for a key; `S` is the status the work answers with (the stored one is its own). */
export interface StoredAnswer<T, S extends number = number> {
  status: S;
  body: T;
}

function hashOf(body: unknown): string {
  return createHash('sha256')
    .update(JSON.stringify(body ?? null))
    .digest('hex');
}

/**
 * Runs `work` once per key inside the caller's transaction. A retry with the same key and body gets
 * the first answer; the same key with another body is a 409. A concurrent retry waits on the key's
 * row until the first transaction commits, then reads its answer.
 */
export async function idempotent<T, S extends number = number>(
  tx: Executor,
  request: IdempotentRequest,
  work: () => Promise<StoredAnswer<T, S>>,
): Promise<StoredAnswer<T, S>> {
  if (!request.key) return work();
  const where = and(
    eq(idempotencyKeys.scope, request.scope),
    eq(idempotencyKeys.userId, request.userId),
    eq(idempotencyKeys.key, request.key),
  );
  const requestHash = hashOf(request.body);
  const claimed = await tx
    .insert(idempotencyKeys)
    .values({ scope: request.scope, userId: request.userId, key: request.key, requestHash })
    .onConflictDoNothing()
    .returning({ key: idempotencyKeys.key });
  if (claimed.length === 0) {
    const [first] = await tx.select().from(idempotencyKeys).where(where).limit(1);
    if (!first || first.requestHash !== requestHash || first.status === null) {
      throw new ConflictError(
        'IDEMPOTENCY.KEY_REUSED',
        'This Idempotency-Key was used with a different request',
      );
    }
    return { status: first.status as S, body: first.response as T };
  }
  const answer = await work();
  await tx.update(idempotencyKeys).set({ status: answer.status, response: answer.body }).where(where);
  return answer;
}
