import type { OutboxEvent } from '../../platform/events/outbox.js';
import type { Category } from './categories.repository.js';
import {
  CATEGORY_EVENTS,
  type CategoryDeletedPayload,
  CategoryEvent,
  type CategoryRevisionPayload,
} from './contract.js';

export function categoryRevised(
  routingKey: typeof CategoryEvent.created | typeof CategoryEvent.updated,
  category: Category,
): OutboxEvent {
  const payload: CategoryRevisionPayload = {
    category_id: category.id,
    name: category.name,
    slug: category.slug,
    description: category.description,
    parent_id: category.parentId,
  };
  return { exchange: CATEGORY_EVENTS, routingKey, version: category.version, payload };
}

export function categoryDeleted(category: Category): OutboxEvent {
  const payload: CategoryDeletedPayload = { category_id: category.id };
  return {
    exchange: CATEGORY_EVENTS,
    routingKey: CategoryEvent.deleted,
    version: category.version + 1,
    payload,
  };
}
