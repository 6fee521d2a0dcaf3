import { BadRequestError, ConflictError, NotFoundError } from '../../platform/http/errors.js';

export class CategoryNotFoundError extends NotFoundError {
  constructor(id: number) {
    super('CATEGORIES.NOT_FOUND', `Category ${id} does not exist`);
  }
}

export class DuplicateCategoryNameError extends ConflictError {
  constructor(name: string) {
    super('CATEGORIES.DUPLICATE_NAME', `A category named "${name}" already exists`);
  }
}

export class UnknownParentError extends BadRequestError {
  constructor(parentId: number) {
    super('CATEGORIES.UNKNOWN_PARENT', `Parent category ${parentId} does not exist`, [
      { path: 'body.parent_id', message: 'is not an existing category' },
    ]);
  }
}

export class CategoryCycleError extends ConflictError {
  constructor(id: number, parentId: number) {
    super(
      'CATEGORIES.CYCLE',
      `Category ${parentId} is category ${id} or lies below it, so it cannot become its parent`,
    );
  }
}

export class CategoryHasProductsError extends ConflictError {
  constructor(id: number, count: number) {
    super('CATEGORIES.HAS_PRODUCTS', `Category ${id} still has ${count} product(s)`);
  }
}

export class CategoryHasChildrenError extends ConflictError {
  constructor(id: number) {
    super('CATEGORIES.HAS_CHILDREN', `Category ${id} still has sub-categories`);
  }
}
