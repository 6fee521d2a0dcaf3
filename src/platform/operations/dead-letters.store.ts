import type { DeadLetterView } from './dead-letters.schemas.js';

/** Which parked messages of one queue an operation takes. */
export type Pick = { eventId: string } | { limit: number };

export interface TakeResult {
  /** Events replayed or discarded (copies of one event count once). */
  taken: number;
  /** Messages left parked because they cannot be replayed (not an event envelope). */
  skipped: number;
}

export type Progress = (done: number, total: number) => void;

/**
 * Where parked messages live: `platform.dead_letters` (in-memory bus) or the `<queue>.dlq` queues
 * (RabbitMQ). A replay writes the message to the outbox, addressed to its queue alone, and removes
 * it from the store only once that is committed: nothing is lost, and a duplicate left by a crash
 * in between is dropped by the consumer's inbox.
 */
export interface DeadLetterStore {
  readonly name: string;
  counts(queues: readonly string[]): Promise<Map<string, number>>;
  /** Oldest first, queue by queue. */
  list(queues: readonly string[], window: { offset: number; limit: number }): Promise<DeadLetterView[]>;
  find(queue: string, eventId: string): Promise<DeadLetterView | undefined>;
  take(queue: string, pick: Pick, action: 'replay' | 'discard', progress?: Progress): Promise<TakeResult>;
  close(): Promise<void>;
}

/** `<queue>:<event_id>`; queue names (`<module>.<exchange>`) never hold a colon. */
export const deadLetterId = (queue: string, eventId: string) => `${queue}:${eventId}`;

export function parseDeadLetterId(id: string): { queue: string; eventId: string } | undefined {
  const at = id.indexOf(':');
  if (at <= 0 || at === id.length - 1) return undefined;
  return { queue: id.slice(0, at), eventId: id.slice(at + 1) };
}
