import { type Static, Type } from '@sinclair/typebox';
import { PageQuery, pageOf } from '../../platform/http/paging.js';
import { ERROR_MESSAGE } from '../../platform/http/validation-messages.js';

/** Ids are PostgreSQL `integer`s; a larger one could never exist, so it is a 400, not a 500. */
export const Id = Type.Integer({ minimum: 1, maximum: 2_147_483_647 });

export const IdParams = Type.Object({ id: Id });
export type IdParams = Static<typeof IdParams>;

/** Some non-blank character, and no NUL anywhere: PostgreSQL text cannot hold it (it was a 500). */
const Name = Type.String({
  minLength: 1,
  maxLength: 100,
  pattern: '^[^\\u0000]*[^\\s\\u0000][^\\u0000]*$',
  [ERROR_MESSAGE]: 'must not be blank or contain a NUL character',
});
const Description = Type.String({
  maxLength: 2000,
  pattern: '^[^\\u0000]*$',
  [ERROR_MESSAGE]: 'must not contain a NUL character',
});
const ParentId = Type.Union([Id, Type.Null()]);

const categoryBodyFields = {
  name: Name,
  description: Type.Optional(Description),
  parent_id: Type.Optional(ParentId),
};

export const CategoryBody = Type.Object(categoryBodyFields, {
  $id: 'CategoryInput',
  additionalProperties: false,
  examples: [{ name: 'Dog food', description: 'Dry and wet food for dogs', parent_id: 1 }],
});
export type CategoryBody = Static<typeof CategoryBody>;

export const CategoryPatch = Type.Partial(Type.Object(categoryBodyFields), {
  $id: 'CategoryChange',
  additionalProperties: false,
  examples: [{ name: 'Dog food and treats' }],
});
export type CategoryPatch = Static<typeof CategoryPatch>;

export const CategoryListQuery = Type.Composite(
  [
    PageQuery,
    Type.Object({
      parent: Type.Optional(
        Type.Union([Id, Type.Literal('null')], { description: 'a parent id, or `null` for top level' }),
      ),
    }),
  ],
  { additionalProperties: false },
);
export type CategoryListQuery = Static<typeof CategoryListQuery>;

const categoryFields = {
  id: Type.Integer(),
  name: Type.String(),
  slug: Type.String(),
  description: Type.String(),
  parent_id: Type.Union([Type.Integer(), Type.Null()]),
  product_count: Type.Integer({ description: 'products directly in this category' }),
  created_at: Type.String({ format: 'date-time' }),
  updated_at: Type.String({ format: 'date-time' }),
};

const CATEGORY_EXAMPLE = {
  id: 3,
  name: 'Dog food',
  slug: 'dog-food',
  description: 'Dry and wet food for dogs',
  parent_id: 1,
  product_count: 24,
  created_at: '2026-03-01T08:00:00.000Z',
  updated_at: '2026-03-01T08:00:00.000Z',
};

export const CategoryResponse = Type.Object(categoryFields, {
  $id: 'Category',
  examples: [CATEGORY_EXAMPLE],
});
export type CategoryResponse = Static<typeof CategoryResponse>;

export const CategoryPage = pageOf(CategoryResponse, {
  $id: 'CategoryPage',
  examples: [{ count: 1, next: null, previous: null, results: [CATEGORY_EXAMPLE] }],
});

export const CategoryTreeNode = Type.Recursive(
  (node) => Type.Object({ ...categoryFields, children: Type.Array(node) }),
  { $id: 'CategoryTreeNode' },
);
export type CategoryTreeNode = Static<typeof CategoryTreeNode>;

export const CategoryTree = Type.Array(CategoryTreeNode, {
  examples: [
    [
      {
        ...CATEGORY_EXAMPLE,
        id: 1,
        name: 'Dogs',
        slug: 'dogs',
        description: '',
        parent_id: null,
        product_count: 0,
        children: [{ ...CATEGORY_EXAMPLE, children: [] }],
      },
    ],
  ],
});
