import { eventOf } from '../../platform/events/contracts.js';
import type { OutboxEvent } from '../../platform/events/outbox.js';
import type { Category } from './categories.repository.js';
import { CategoryEvent, categoriesContract } from './contract.js';

export function categoryRevised(
  routingKey: typeof CategoryEvent.created | typeof CategoryEvent.updated,
  category: Category,
): OutboxEvent {
  return eventOf(categoriesContract, routingKey, category.version, {
    category_id: category.id,
    name: category.name,
    slug: category.slug,
    description: category.description,
    parent_id: category.parentId,
  });
}

/** A deletion is the category's last revision + 1. */
export function categoryDeleted(category: Category): OutboxEvent {
  return eventOf(categoriesContract, CategoryEvent.deleted, category.version + 1, {
    category_id: category.id,
  });
}
