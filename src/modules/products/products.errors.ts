import { BadRequestError, ConflictError, NotFoundError } from '../../platform/http/errors.js';

export class ProductNotFoundError extends NotFoundError {
  constructor(id: number) {
    super('PRODUCTS.NOT_FOUND', `Product ${id} does not exist`);
  }
}

export class UnknownCategoryError extends BadRequestError {
  constructor(categoryId: number) {
    super('PRODUCTS.UNKNOWN_CATEGORY', `Category ${categoryId} does not exist`, [
      { path: 'body.category', message: 'is not an existing category' },
    ]);
  }
}

export class InvalidPriceError extends BadRequestError {
  constructor(path: string) {
    super(
      'PRODUCTS.INVALID_PRICE',
      `${path} must be a price from 0 to 99999999.99 with at most two decimals`,
      [{ path, message: 'must be a price from 0 to 99999999.99 with at most two decimals' }],
    );
  }
}

export class InvalidPriceRangeError extends BadRequestError {
  constructor() {
    super('PRODUCTS.INVALID_PRICE_RANGE', 'min_price must not be above max_price', [
      { path: 'querystring.min_price', message: 'must not be above max_price' },
    ]);
  }
}

export class InsufficientStockError extends ConflictError {
  constructor(id: number, stock: number, delta: number) {
    super('PRODUCTS.INSUFFICIENT_STOCK', `Product ${id} has ${stock} in stock; ${-delta} cannot be taken`);
  }
}

export class StockTooHighError extends ConflictError {
  constructor(id: number, stock: number, delta: number) {
    super(
      'PRODUCTS.STOCK_TOO_HIGH',
      `Product ${id} has ${stock} in stock; adding ${delta} exceeds 2147483647`,
    );
  }
}

export class NulInSpecificationsError extends BadRequestError {
  constructor() {
    super('PRODUCTS.INVALID_SPECIFICATIONS', 'specifications must not contain a NUL character', [
      { path: 'body.specifications', message: 'must not contain a NUL character' },
    ]);
  }
}
