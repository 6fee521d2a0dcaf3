import { AppError, BadRequestError, ConflictError, NotFoundError } from '../http/errors.js';

export class UnknownQueueError extends BadRequestError {
  constructor(queue: string, known: readonly string[]) {
    super('EVENTS.UNKNOWN_QUEUE', `No consumer queue ${queue}; the queues are ${known.join(', ')}`);
  }
}

export class DeadLetterNotFoundError extends NotFoundError {
  constructor(id: string) {
    super('EVENTS.DEAD_LETTER_NOT_FOUND', `No dead letter ${id} (replayed or discarded already?)`);
  }
}

export class NotReplayableError extends ConflictError {
  constructor(id: string) {
    super('EVENTS.NOT_REPLAYABLE', `Dead letter ${id} is not an event envelope; it can only be discarded`);
  }
}

export class BrokerUnavailableForOperationsError extends AppError {
  constructor(reason: string) {
    super(503, 'EVENTS.BROKER_UNAVAILABLE', `RabbitMQ cannot be reached: ${reason}`);
  }
}
