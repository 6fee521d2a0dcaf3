import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { problemResponses } from '../../platform/http/errors.js';
import { IdempotencyHeaders } from '../../platform/http/idempotency.js';
import { checkoutLocation } from './cart.mapping.js';
import {
  AddItemBody,
  Cart,
  ChangeQuantityBody,
  CheckoutAnswer,
  CheckoutBody,
  CheckoutParams,
  CheckoutStatus,
  ProductParams,
} from './cart.schemas.js';
import type { CartService } from './cart.service.js';

const common = { tags: ['cart'] };
/** How long a client should wait before it looks at a checkout again: the saga takes well under a second. */
const RETRY_AFTER_SECONDS = '1';

export async function cartRoutes(scope: FastifyInstance, { service }: { service: CartService }) {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/',
    {
      onRequest: app.authenticate,
      schema: {
        ...common,
        summary: 'Your cart',
        description:
          "A signed-in user (401 without a token). The cart with its lines at the catalog's current prices, `available: false` on a line whose product was deleted or is short of stock; made empty the first time it is read.",
        response: { 200: Cart, ...problemResponses(401) },
      },
    },
    async (request) => service.view(request.principal.id),
  );

  app.post(
    '/items',
    {
      onRequest: app.authenticate,
      schema: {
        ...common,
        summary: 'Add a product, or more of it, to your cart',
        description:
          'A signed-in user. A product already in the cart adds to its line. 404 `CART.PRODUCT_NOT_FOUND` for a deleted or unknown product; 409 `CART.QUANTITY_LIMIT` above 99 on a line, `CART.TOO_MANY_LINES` above 50 products, `CART.INSUFFICIENT_STOCK` above the stock.',
        body: AddItemBody,
        response: { 201: Cart, ...problemResponses(400, 401, 404, 409) },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await service.addItem(request.principal.id, request.body)),
  );

  app.patch(
    '/items/:product_id',
    {
      onRequest: app.authenticate,
      schema: {
        ...common,
        summary: 'Set the quantity of a line',
        description:
          "A signed-in user. Sets the line's quantity (1–99). 404 `CART.ITEM_NOT_FOUND` if the product is not in the cart; 409 `CART.INSUFFICIENT_STOCK`, or `CART.PRODUCT_UNAVAILABLE` for a deleted product (remove it instead).",
        params: ProductParams,
        body: ChangeQuantityBody,
        response: { 200: Cart, ...problemResponses(400, 401, 404, 409) },
      },
    },
    async (request) =>
      service.changeQuantity(request.principal.id, request.params.product_id, request.body.quantity),
  );

  app.delete(
    '/items/:product_id',
    {
      onRequest: app.authenticate,
      schema: {
        ...common,
        summary: 'Remove a line',
        description:
          "A signed-in user. Removes the product's line and answers the cart; 404 `CART.ITEM_NOT_FOUND` if it is not in the cart.",
        params: ProductParams,
        response: { 200: Cart, ...problemResponses(400, 401, 404) },
      },
    },
    async (request) => service.removeItem(request.principal.id, request.params.product_id),
  );

  app.delete(
    '/',
    {
      onRequest: app.authenticate,
      schema: {
        ...common,
        summary: 'Empty your cart',
        description: 'A signed-in user. Removes every line; 204 even when the cart was already empty.',
        response: { 204: Type.Null(), ...problemResponses(401) },
      },
    },
    async (request, reply) => {
      await service.clear(request.principal.id);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/checkout',
    {
      onRequest: app.authenticate,
      schema: {
        ...common,
        summary: 'Turn your cart into an order',
        description:
          'A signed-in user. The body is optional: `{"address_id": 12}` ships the order to that address of your address book; no body, `{}`, or no `address_id` ships it to your default address, and with an empty address book the order has no address (`shipping_address: null`). The order keeps a copy of the address, which later edits do not change. Empties the cart and answers at once: 202 with `Location: /api/cart/checkouts/{order_id}` and `Retry-After`. The order appears under /api/orders/{order_id} when the orders module has taken it; until then the Location answers `pending`. 404 `CART.ADDRESS_NOT_FOUND` for an address that is not yours (or not known to the cart yet: it learns new addresses a moment after they are saved); 409 `CART.EMPTY` for an empty cart and `CART.UNAVAILABLE_ITEMS` when a line is unavailable (the cart is left as it was). With an `Idempotency-Key` a retry answers the same `order_id`.',
        headers: IdempotencyHeaders,
        body: CheckoutBody,
        response: { 202: CheckoutAnswer, ...problemResponses(400, 401, 404, 409) },
      },
    },
    async (request, reply) => {
      const answer = await service.checkout(
        request.principal.id,
        request.body ?? {},
        request.headers['idempotency-key'],
      );
      // From the stored answer too, so that a replay of the same key says the same.
      reply
        .header('location', checkoutLocation(answer.body.order_id))
        .header('retry-after', RETRY_AFTER_SECONDS);
      return reply.status(answer.status).send(answer.body);
    },
  );

  app.get(
    '/checkouts/:order_id',
    {
      onRequest: app.authenticate,
      schema: {
        ...common,
        summary: 'Where the order of a checkout is',
        description:
          'A signed-in user, for their own checkout. The `Location` of a checkout’s 202. While the orders module has not made the order yet: 200 `pending` with `Retry-After`. Once the order exists: 303 See Other to /api/orders/{order_id}. Another user’s checkout, or none, is a 404.',
        params: CheckoutParams,
        response: { 200: CheckoutStatus, 303: CheckoutStatus, ...problemResponses(400, 401, 404) },
      },
    },
    async (request, reply) => {
      const status = await service.checkoutStatus(request.principal.id, request.params.order_id);
      if (status.order === null) return reply.header('retry-after', RETRY_AFTER_SECONDS).send(status);
      return reply.status(303).header('location', status.order).send(status);
    },
  );
}
