import { AppError, ConflictError, NotFoundError } from '../../platform/http/errors.js';

export class ProductNotFoundError extends NotFoundError {
  constructor(productId: number) {
    super('CART.PRODUCT_NOT_FOUND', `Product ${productId} does not exist`);
  }
}

export class ItemNotFoundError extends NotFoundError {
  constructor(productId: number) {
    super('CART.ITEM_NOT_FOUND', `Product ${productId} is not in the cart`);
  }
}

export class InsufficientStockError extends ConflictError {
  constructor(productId: number, stock: number) {
    super('CART.INSUFFICIENT_STOCK', `Only ${stock} of product ${productId} in stock`);
  }
}

export class LineQuantityLimitError extends ConflictError {
  constructor(productId: number, max: number) {
    super('CART.QUANTITY_LIMIT', `A cart line holds at most ${max} of a product (product ${productId})`);
  }
}

export class TooManyLinesError extends ConflictError {
  constructor(max: number) {
    super('CART.TOO_MANY_LINES', `A cart holds at most ${max} different products`);
  }
}

export class ProductUnavailableError extends ConflictError {
  constructor(productId: number) {
    super('CART.PRODUCT_UNAVAILABLE', `Product ${productId} is no longer sold; remove it from the cart`);
  }
}

export class EmptyCartError extends ConflictError {
  constructor() {
    super('CART.EMPTY', 'The cart is empty');
  }
}

export class UnavailableItemsError extends ConflictError {
  constructor(productIds: number[]) {
    super(
      'CART.UNAVAILABLE_ITEMS',
      `These products are no longer sold or not in stock in that quantity: ${productIds.join(', ')}`,
    );
  }
}

export class CheckoutNotFoundError extends NotFoundError {
  constructor(orderId: string) {
    super('CART.CHECKOUT_NOT_FOUND', `No checkout ${orderId} of yours`);
  }
}

/** Not an address of the caller's book as the cart knows it (unknown, deleted or someone else's). */
export class AddressNotFoundError extends AppError {
  constructor(addressId: number) {
    super(404, 'CART.ADDRESS_NOT_FOUND', `No address ${addressId} in your address book`, [
      { path: 'body.address_id', message: 'is not an address of your address book' },
    ]);
  }
}
