import { AppError, BadRequestError, ConflictError, NotFoundError } from '../../platform/http/errors.js';
import type { OrderStatus } from './orders.state-machine.js';

export class OrderNotFoundError extends NotFoundError {
  constructor(id: string) {
    super('ORDERS.NOT_FOUND', `Order ${id} does not exist`);
  }
}

export class UnknownProductsError extends BadRequestError {
  constructor(lines: { index: number; productId: number }[]) {
    super(
      'ORDERS.UNKNOWN_PRODUCT',
      `These products do not exist or are no longer sold: ${lines.map((line) => line.productId).join(', ')}`,
      lines.map((line) => ({
        path: `body.items.${line.index}.product_id`,
        message: 'is not a product on sale',
      })),
    );
  }
}

export class DuplicateProductError extends BadRequestError {
  constructor(index: number, productId: number) {
    super(
      'ORDERS.DUPLICATE_PRODUCT',
      `Product ${productId} appears on more than one line; put the whole quantity on one line`,
      [{ path: `body.items.${index}.product_id`, message: 'appears on an earlier line' }],
    );
  }
}

export class InvalidTransitionError extends ConflictError {
  constructor(from: OrderStatus, to: OrderStatus, why = '') {
    super('ORDERS.INVALID_TRANSITION', `An order in ${from} cannot become ${to}${why ? `: ${why}` : ''}`);
  }
}

/** Not an address of the caller's book as orders knows it (unknown, deleted or someone else's). */
export class AddressNotFoundError extends AppError {
  constructor(addressId: number) {
    super(404, 'ORDERS.ADDRESS_NOT_FOUND', `No address ${addressId} in your address book`, [
      { path: 'body.address_id', message: 'is not an address of your address book' },
    ]);
  }
}
