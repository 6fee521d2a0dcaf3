import { randomUUID } from 'node:crypto';
import type { Database, Executor } from '../../platform/db/database.js';
import { recordEvents } from '../../platform/events/outbox.js';
import { idempotent, type StoredAnswer } from '../../platform/http/idempotency.js';
import { addressesOfUsers } from './addresses.repository.js';
import {
  AddressNotFoundError,
  CheckoutNotFoundError,
  EmptyCartError,
  InsufficientStockError,
  ItemNotFoundError,
  LineQuantityLimitError,
  ProductNotFoundError,
  ProductUnavailableError,
  TooManyLinesError,
  UnavailableItemsError,
} from './cart.errors.js';
import { cartCheckedOut } from './cart.events.js';
import { isAvailable, toCart, toCheckoutStatus } from './cart.mapping.js';
import * as repository from './cart.repository.js';
import {
  type AddItemBody,
  type Cart,
  type CheckoutAnswer,
  type CheckoutInput,
  type CheckoutStatus,
  MAX_LINE_QUANTITY,
  MAX_LINES,
} from './cart.schemas.js';

async function readCart(tx: Executor, userId: number): Promise<Cart> {
  const lines = await repository.findLines(tx, userId);
  const updatedAt = await repository.cartUpdatedAt(tx, userId);
  return toCart(lines, updatedAt ?? new Date());
}

/** The use cases of the cart. Every change locks the user's cart row first, so its limits hold under races. */
export class CartService {
  constructor(private readonly database: Database) {}

  view(userId: number): Promise<Cart> {
    return this.database.transaction(async (tx) => {
      await repository.ensureCart(tx, userId);
      return readCart(tx, userId);
    });
  }

  addItem(userId: number, { product_id: productId, quantity }: AddItemBody): Promise<Cart> {
    return this.database.transaction(async (tx) => {
      await repository.lockCart(tx, userId);
      const product = await repository.findProduct(tx, productId);
      if (!product || product.deleted) throw new ProductNotFoundError(productId);
      const existing = await repository.findLineQuantity(tx, userId, productId);
      if (existing === undefined && (await repository.countLines(tx, userId)) >= MAX_LINES) {
        throw new TooManyLinesError(MAX_LINES);
      }
      const total = (existing ?? 0) + quantity;
      if (total > MAX_LINE_QUANTITY) throw new LineQuantityLimitError(productId, MAX_LINE_QUANTITY);
      if (total > product.stock) throw new InsufficientStockError(productId, product.stock);
      await repository.saveLine(tx, userId, productId, total);
      return readCart(tx, userId);
    });
  }

  changeQuantity(userId: number, productId: number, quantity: number): Promise<Cart> {
    return this.database.transaction(async (tx) => {
      await repository.lockCart(tx, userId);
      if ((await repository.findLineQuantity(tx, userId, productId)) === undefined) {
        throw new ItemNotFoundError(productId);
      }
      const product = await repository.findProduct(tx, productId);
      if (!product || product.deleted) throw new ProductUnavailableError(productId);
      if (quantity > product.stock) throw new InsufficientStockError(productId, product.stock);
      await repository.saveLine(tx, userId, productId, quantity);
      return readCart(tx, userId);
    });
  }

  removeItem(userId: number, productId: number): Promise<Cart> {
    return this.database.transaction(async (tx) => {
      await repository.lockCart(tx, userId);
      if (!(await repository.deleteLine(tx, userId, productId))) throw new ItemNotFoundError(productId);
      return readCart(tx, userId);
    });
  }

  async clear(userId: number): Promise<void> {
    await this.database.transaction(async (tx) => {
      await repository.lockCart(tx, userId);
      await repository.deleteLines(tx, userId);
    });
  }

  /**
   * Empties the cart and hands its lines, with a copy of the address (the one named, else the
   * default, else none), to the orders module through `cart.checked_out`, in one transaction.
   */
  checkout(
    userId: number,
    body: CheckoutInput,
    idempotencyKey: string | undefined,
  ): Promise<StoredAnswer<CheckoutAnswer, 202>> {
    const addressId = body.address_id;
    const given = addressId === undefined ? {} : { address_id: addressId };
    return this.database.transaction((tx) =>
      idempotent(tx, { scope: 'cart.checkout', userId, key: idempotencyKey, body: given }, async () => {
        await repository.lockCart(tx, userId);
        const lines = await repository.findLines(tx, userId);
        if (lines.length === 0) throw new EmptyCartError();
        const unavailable = lines.filter((line) => !isAvailable(line)).map((line) => line.productId);
        if (unavailable.length > 0) throw new UnavailableItemsError(unavailable);
        const address = await addressesOfUsers.find(tx, userId, addressId);
        if (addressId !== undefined && !address) throw new AddressNotFoundError(addressId);
        const orderId = randomUUID();
        await recordEvents(tx, [cartCheckedOut(orderId, userId, lines, address ?? null)]);
        await repository.recordCheckout(tx, orderId, userId);
        await repository.deleteLines(tx, userId);
        return { status: 202 as const, body: { order_id: orderId, status: 'pending' as const } };
      }),
    );
  }

  /** A checkout of the user's: pending until its order exists. Another user's, or none, is a 404. */
  async checkoutStatus(userId: number, orderId: string): Promise<CheckoutStatus> {
    const checkout = await repository.findCheckout(this.database.db, orderId);
    if (!checkout || checkout.userId !== userId) throw new CheckoutNotFoundError(orderId);
    return toCheckoutStatus(checkout);
  }
}
