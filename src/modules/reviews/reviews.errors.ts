import { ConflictError, ForbiddenError, NotFoundError } from '../../platform/http/errors.js';

export class ReviewNotFoundError extends NotFoundError {
  constructor(id: number) {
    super('REVIEWS.NOT_FOUND', `Review ${id} not found`);
  }
}

export class ProductNotFoundError extends NotFoundError {
  constructor(productId: number) {
    super('REVIEWS.PRODUCT_NOT_FOUND', `Product ${productId} not found`);
  }
}

export class DuplicateReviewError extends ConflictError {
  constructor(productId: number) {
    super('REVIEWS.DUPLICATE', `You have already reviewed product ${productId}`);
  }
}

export class NotReviewAuthorError extends ForbiddenError {
  constructor(message = 'Only the author may change this review') {
    super(message, 'REVIEWS.NOT_AUTHOR');
  }
}
