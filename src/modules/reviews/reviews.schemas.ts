import { type Static, Type } from '@sinclair/typebox';
import { PageQuery, pageOf } from '../../platform/http/paging.js';
import { ERROR_MESSAGE } from '../../platform/http/validation-messages.js';

/** Ids are PostgreSQL `integer`s: anything larger could never exist, and would fail in SQL. */
const Id = (description: string) => Type.Integer({ minimum: 1, maximum: 2_147_483_647, description });

export const TITLE_MAX_LENGTH = 200;
export const COMMENT_MAX_LENGTH = 5000;

export const REVIEW_ORDERINGS = ['-created_at', 'created_at', 'rating', '-rating'] as const;
export type ReviewOrdering = (typeof REVIEW_ORDERINGS)[number];

const Rating = Type.Integer({ minimum: 1, maximum: 5, description: 'Whole stars, 1 to 5' });
/** PostgreSQL text cannot hold NUL: such text is a 400, not a failed insert (a 500). */
const NO_NUL = '^[^\\u0000]*$';
const Title = Type.String({
  maxLength: TITLE_MAX_LENGTH,
  pattern: NO_NUL,
  [ERROR_MESSAGE]: 'must not contain a NUL character',
  description: 'Plain text; empty when not given',
});
const Comment = Type.String({
  minLength: 1,
  maxLength: COMMENT_MAX_LENGTH,
  pattern: NO_NUL,
  [ERROR_MESSAGE]: 'must not contain a NUL character',
  description: 'Plain text, stored and returned exactly as sent (never HTML-escaped)',
});

const REVIEW_EXAMPLE = {
  id: 88,
  product_id: 17,
  user_id: 5,
  username: 'ana',
  rating: 5,
  title: 'My dog loves it',
  comment: 'Bought two bags; the coat is shinier after a month.',
  verified_purchase: true,
  created_at: '2026-03-20T10:11:12.000Z',
  updated_at: '2026-03-20T10:11:12.000Z',
};

export const Review = Type.Object(
  {
    id: Type.Integer(),
    product_id: Type.Integer(),
    user_id: Type.Integer(),
    username: Type.String({ description: '`user<id>` until the users module has told us the name' }),
    rating: Type.Integer(),
    title: Type.String(),
    comment: Type.String(),
    verified_purchase: Type.Boolean(),
    created_at: Type.String({ format: 'date-time' }),
    updated_at: Type.String({ format: 'date-time' }),
  },
  { $id: 'Review', examples: [REVIEW_EXAMPLE] },
);
export type Review = Static<typeof Review>;

export const ReviewPage = pageOf(Review, {
  $id: 'ReviewPage',
  examples: [{ count: 1, next: null, previous: null, results: [REVIEW_EXAMPLE] }],
});

export const ReviewParams = Type.Object({ id: Id('Review id') });
export type ReviewParams = Static<typeof ReviewParams>;

export const ReviewListQuery = Type.Composite(
  [
    PageQuery,
    Type.Object({
      product: Type.Optional(Id('Only reviews of this product')),
      user: Type.Optional(Id('Only reviews by this user')),
      ordering: Type.Optional(
        Type.Unsafe<ReviewOrdering>({
          type: 'string',
          enum: [...REVIEW_ORDERINGS],
          default: '-created_at',
          description: 'Sort order; ties are broken by id',
        }),
      ),
    }),
  ],
  { additionalProperties: false },
);
export type ReviewListQuery = Static<typeof ReviewListQuery>;

export const SummaryQuery = Type.Object(
  { product: Id('The product to summarise') },
  { additionalProperties: false },
);
export type SummaryQuery = Static<typeof SummaryQuery>;

export const ReviewSummary = Type.Object(
  {
    product_id: Type.Integer(),
    average: Type.Union([Type.Number(), Type.Null()], {
      description: 'Mean rating rounded half up to one decimal; null when there are no reviews',
    }),
    count: Type.Integer({ minimum: 0 }),
    distribution: Type.Object({
      '1': Type.Integer({ minimum: 0 }),
      '2': Type.Integer({ minimum: 0 }),
      '3': Type.Integer({ minimum: 0 }),
      '4': Type.Integer({ minimum: 0 }),
      '5': Type.Integer({ minimum: 0 }),
    }),
  },
  {
    $id: 'ReviewSummary',
    examples: [
      { product_id: 17, average: 4.3, count: 12, distribution: { '1': 0, '2': 1, '3': 1, '4': 3, '5': 7 } },
    ],
  },
);
export type ReviewSummary = Static<typeof ReviewSummary>;

export const CreateReviewBody = Type.Object(
  {
    product_id: Id('The product reviewed'),
    rating: Rating,
    title: Type.Optional(Title),
    comment: Comment,
  },
  {
    $id: 'ReviewInput',
    additionalProperties: false,
    examples: [
      {
        product_id: 17,
        rating: 5,
        title: 'My dog loves it',
        comment: 'Bought two bags; the coat is shinier after a month.',
      },
    ],
  },
);
export type CreateReviewBody = Static<typeof CreateReviewBody>;

export const UpdateReviewBody = Type.Object(
  {
    rating: Type.Optional(Rating),
    title: Type.Optional(Title),
    comment: Type.Optional(Comment),
  },
  {
    $id: 'ReviewChange',
    additionalProperties: false,
    minProperties: 1,
    examples: [{ rating: 4, comment: 'Still good, but the bag is hard to close.' }],
  },
);
export type UpdateReviewBody = Static<typeof UpdateReviewBody>;
