import { type Static, type TSchema, Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import type { Executor } from '../../platform/db/database.js';
import type { EventEnvelope } from '../../platform/events/envelope.js';
import type { Delivery } from '../../platform/events/event-bus.js';
import { centsOf } from '../../platform/money.js';
import * as repository from './orders.repository.js';
import type { OrdersService } from './orders.service.js';

/** What orders reads of products' events (docs/events.md); other fields are ignored. */
const ProductRevisionEvent = Type.Object({
  product_id: Type.Integer(),
  name: Type.String(),
  price: Type.Union([Type.String(), Type.Number()]),
  version: Type.Integer(),
});
const ProductDeletedEvent = Type.Object({ product_id: Type.Integer(), version: Type.Integer() });
const OrderId = Type.String({ pattern: '^[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}$' });
const StockAnswerEvent = Type.Object({
  order_id: OrderId,
  reason: Type.Optional(Type.String()),
});
/** `cart.checked_out` as cart's contract.ts describes it (only its type may be imported). */
const CartCheckedOutEvent = Type.Object({
  order_id: OrderId,
  user_id: Type.Integer(),
  items: Type.Array(
    Type.Object({
      product_id: Type.Integer(),
      quantity: Type.Integer({ minimum: 1 }),
      unit_price: Type.String(),
    }),
    { minItems: 1 },
  ),
});

/** A malformed event throws: the bus retries it, then dead-letters it, rather than corrupting state. */
function read<T extends TSchema>(schema: T, message: EventEnvelope, routingKey: string): Static<T> {
  if (Value.Check(schema, message)) return message;
  const first = Value.Errors(schema, message).First();
  const eventId = (message as EventEnvelope).event_id;
  throw new Error(`malformed ${routingKey} event ${eventId}: ${first?.path} ${first?.message}`);
}

export function productEventHandler(service: OrdersService) {
  return async (message: EventEnvelope, tx: Executor, delivery: Delivery): Promise<void> => {
    const key = delivery.routingKey;
    if (key === 'product.created' || key === 'product.updated') {
      const event = read(ProductRevisionEvent, message, key);
      await repository.applyProduct(tx, {
        productId: event.product_id,
        name: event.name,
        priceCents: centsOf(event.price),
        version: event.version,
      });
    } else if (key === 'product.deleted') {
      const event = read(ProductDeletedEvent, message, key);
      await repository.tombstoneProduct(tx, event.product_id, event.version);
    } else if (key === 'stock.reserved') {
      await service.takeReservation(tx, read(StockAnswerEvent, message, key).order_id, 'confirmed');
    } else if (key === 'stock.rejected') {
      const event = read(StockAnswerEvent, message, key);
      await service.takeReservation(tx, event.order_id, 'rejected', event.reason);
    }
    // stock.released follows a cancellation the order already records.
  };
}

export function cartEventHandler(service: OrdersService) {
  return async (message: EventEnvelope, tx: Executor, delivery: Delivery): Promise<void> => {
    if (delivery.routingKey !== 'cart.checked_out') return;
    await service.takeCheckout(tx, read(CartCheckedOutEvent, message, delivery.routingKey));
  };
}
