import { formatCents, parseCents } from '../../platform/money.js';
import { DEFAULT_ORDERING } from './ordering.js';
import { InvalidPriceError, InvalidPriceRangeError, NulInSpecificationsError } from './products.errors.js';
import type { Product } from './products.repository.js';
import type { ProductBody, ProductListQuery, ProductPatch, ProductResponse } from './products.schemas.js';
import type { ProductInput, ProductQuery } from './products.service.js';

export function presentProduct(product: Product): ProductResponse {
  return {
    id: product.id,
    name: product.name,
    description: product.description,
    price: formatCents(product.priceCents),
    category: product.categoryId,
    category_name: product.categoryName,
    animal_type: product.animalType,
    stock: product.stock,
    specifications: product.specifications,
    rating_avg: product.ratingAvg,
    rating_count: product.ratingCount,
    created_at: product.createdAt.toISOString(),
    updated_at: product.updatedAt.toISOString(),
  };
}

function cents(value: string | number, path: string): number {
  const parsed = parseCents(value);
  if (parsed === undefined) throw new InvalidPriceError(path);
  return parsed;
}

/** jsonb cannot hold a NUL character in a key or a string either. */
function specificationsOf(value: ProductBody['specifications']): ProductBody['specifications'] {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const item = stack.pop();
    if (typeof item === 'string' && item.includes('\u0000')) throw new NulInSpecificationsError();
    if (item === null || typeof item !== 'object') continue;
    for (const [key, child] of Object.entries(item)) {
      if (key.includes('\u0000')) throw new NulInSpecificationsError();
      stack.push(child);
    }
  }
  return value;
}

export function toProductInput(body: ProductBody): ProductInput {
  return {
    name: body.name.trim(),
    description: body.description,
    priceCents: cents(body.price, 'body.price'),
    categoryId: body.category,
    animalType: body.animal_type,
    stock: body.stock,
    specifications: specificationsOf(body.specifications),
  };
}

export function toProductChange(body: ProductPatch): Partial<ProductInput> {
  return {
    name: body.name?.trim(),
    description: body.description,
    priceCents: body.price === undefined ? undefined : cents(body.price, 'body.price'),
    categoryId: body.category,
    animalType: body.animal_type,
    stock: body.stock,
    specifications: specificationsOf(body.specifications),
  };
}

export function toProductQuery(query: ProductListQuery): ProductQuery {
  const minCents =
    query.min_price === undefined ? undefined : cents(query.min_price, 'querystring.min_price');
  const maxCents =
    query.max_price === undefined ? undefined : cents(query.max_price, 'querystring.max_price');
  if (minCents !== undefined && maxCents !== undefined && minCents > maxCents)
    throw new InvalidPriceRangeError();
  return {
    category: query.category,
    animalType: query.animalType,
    search: query.search?.trim() || undefined,
    minCents,
    maxCents,
    inStock: query.in_stock,
    ordering: query.ordering ?? DEFAULT_ORDERING,
  };
}
