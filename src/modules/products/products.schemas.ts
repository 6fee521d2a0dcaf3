import { type Static, Type } from '@sinclair/typebox';
import { PageQuery, pageOf } from '../../platform/http/paging.js';
import { ERROR_MESSAGE } from '../../platform/http/validation-messages.js';
import { DECIMAL_PATTERN } from '../../platform/money.js';
import { ANIMAL_TYPES, type AnimalType as AnimalTypeValue } from './animal-type.js';
import { ORDERINGS, type Ordering as OrderingValue } from './ordering.js';

/** Ids are PostgreSQL `integer`s; a larger one could never exist, so it is a 400, not a 500. */
const Id = Type.Integer({ minimum: 1, maximum: 2_147_483_647 });

export const IdParams = Type.Object({ id: Id });
export type IdParams = Static<typeof IdParams>;

const AnimalType = Type.Unsafe<AnimalTypeValue>({ type: 'string', enum: [...ANIMAL_TYPES] });
const Ordering = Type.Unsafe<OrderingValue>({ type: 'string', enum: [...ORDERINGS] });

const PriceText = Type.String({
  pattern: DECIMAL_PATTERN,
  description: 'e.g. "12.50"',
  [ERROR_MESSAGE]: 'must be a decimal such as "12.50" (at most 8 digits and 2 decimals)',
});
const Price = Type.Union([PriceText, Type.Number({ minimum: 0, maximum: 99_999_999.99 })], {
  description: 'a decimal string or a number, at most two decimals, 0 to 99999999.99',
});
const Stock = Type.Integer({ minimum: 0, maximum: 1_000_000_000 });
/** PostgreSQL text cannot hold NUL: such text is a 400, not a failed insert (a 500). */
const NO_NUL = '^[^\\u0000]*$';
const Specifications = Type.Record(Type.String(), Type.Unknown(), {
  description: 'free-form attributes, e.g. {"weight_kg": 12, "flavour": "chicken"}',
});

const PRODUCT_INPUT_EXAMPLE = {
  name: 'Grain-free dog food 12 kg',
  description: 'Chicken and sweet potato, for adult dogs of every size.',
  price: '54.90',
  category: 3,
  animal_type: 'dog',
  stock: 40,
  specifications: { weight_kg: 12, flavour: 'chicken' },
};

export const ProductBody = Type.Object(
  {
    name: Type.String({
      minLength: 1,
      maxLength: 200,
      pattern: '^[^\\u0000]*[^\\s\\u0000][^\\u0000]*$',
      [ERROR_MESSAGE]: 'must not be blank or contain a NUL character',
    }),
    description: Type.String({
      maxLength: 5000,
      pattern: NO_NUL,
      [ERROR_MESSAGE]: 'must not contain a NUL character',
    }),
    price: Price,
    category: Id,
    animal_type: AnimalType,
    stock: Type.Optional(Stock),
    specifications: Type.Optional(Specifications),
  },
  { $id: 'ProductInput', additionalProperties: false, examples: [PRODUCT_INPUT_EXAMPLE] },
);
export type ProductBody = Static<typeof ProductBody>;

export const ProductPatch = Type.Partial(Type.Object(ProductBody.properties), {
  $id: 'ProductChange',
  additionalProperties: false,
  examples: [{ price: '49.90', stock: 25 }],
});
export type ProductPatch = Static<typeof ProductPatch>;

export const StockBody = Type.Object(
  {
    delta: Type.Integer({
      minimum: -1_000_000_000,
      maximum: 1_000_000_000,
      description: 'added to the stock; negative to take away',
    }),
  },
  { $id: 'StockChange', additionalProperties: false, examples: [{ delta: 12 }] },
);
export type StockBody = Static<typeof StockBody>;

export const ProductListQuery = Type.Composite(
  [
    PageQuery,
    Type.Object({
      category: Type.Optional(Id),
      animalType: Type.Optional(AnimalType),
      search: Type.Optional(
        Type.String({
          maxLength: 100,
          pattern: NO_NUL,
          description: 'in name and description',
          [ERROR_MESSAGE]: 'must not contain a NUL character',
        }),
      ),
      min_price: Type.Optional(PriceText),
      max_price: Type.Optional(PriceText),
      in_stock: Type.Optional(Type.Boolean({ description: 'true: stock > 0; false: stock = 0' })),
      ordering: Type.Optional(Ordering),
    }),
  ],
  { additionalProperties: false },
);
export type ProductListQuery = Static<typeof ProductListQuery>;

const PRODUCT_EXAMPLE = {
  id: 17,
  ...PRODUCT_INPUT_EXAMPLE,
  category_name: 'Dog food',
  rating_avg: 4.5,
  rating_count: 12,
  created_at: '2026-03-02T09:15:00.000Z',
  updated_at: '2026-03-09T16:40:12.000Z',
};

export const ProductResponse = Type.Object(
  {
    id: Type.Integer(),
    name: Type.String(),
    description: Type.String(),
    price: Type.String({ description: 'two-decimal string, e.g. "12.50"' }),
    category: Type.Integer(),
    category_name: Type.Union([Type.String(), Type.Null()]),
    animal_type: AnimalType,
    stock: Type.Integer(),
    specifications: Specifications,
    rating_avg: Type.Union([Type.Number(), Type.Null()], {
      description: 'one decimal, null without reviews',
    }),
    rating_count: Type.Integer(),
    created_at: Type.String({ format: 'date-time' }),
    updated_at: Type.String({ format: 'date-time' }),
  },
  { $id: 'Product', examples: [PRODUCT_EXAMPLE] },
);
export type ProductResponse = Static<typeof ProductResponse>;

export const ProductPage = pageOf(ProductResponse, {
  $id: 'ProductPage',
  examples: [
    {
      count: 41,
      next: 'http://localhost:3000/api/products?animalType=dog&page=2&limit=20',
      previous: null,
      results: [PRODUCT_EXAMPLE],
    },
  ],
});
