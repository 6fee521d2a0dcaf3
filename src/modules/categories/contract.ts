import { type Static, Type } from '@sinclair/typebox';
import type { ModuleContract } from '../../platform/events/envelope.js';

export const CATEGORY_EVENTS = 'category_events';

export const CategoryEvent = {
  created: 'category.created',
  updated: 'category.updated',
  deleted: 'category.deleted',
} as const;

export const CategoryRevisionPayload = Type.Object(
  {
    category_id: Type.Integer(),
    name: Type.String(),
    slug: Type.String(),
    description: Type.String(),
    parent_id: Type.Union([Type.Integer(), Type.Null()]),
  },
  {
    examples: [
      {
        category_id: 3,
        name: 'Dog food',
        slug: 'dog-food',
        description: 'Dry and wet food for dogs',
        parent_id: 1,
      },
    ],
  },
);
export type CategoryRevisionPayload = Static<typeof CategoryRevisionPayload>;

export const CategoryDeletedPayload = Type.Object(
  { category_id: Type.Integer() },
  { examples: [{ category_id: 3 }] },
);
export type CategoryDeletedPayload = Static<typeof CategoryDeletedPayload>;

export const categoriesContract = {
  exchange: CATEGORY_EVENTS,
  events: [
    {
      routingKey: CategoryEvent.created,
      payload: CategoryRevisionPayload,
      description: 'A category was created; `version` is 1.',
    },
    {
      routingKey: CategoryEvent.updated,
      payload: CategoryRevisionPayload,
      description: "A category's name, description or parent changed; the payload is its new state.",
    },
    {
      routingKey: CategoryEvent.deleted,
      payload: CategoryDeletedPayload,
      description: 'A category was deleted; `version` is its last revision + 1.',
    },
  ],
} as const satisfies ModuleContract;
