import type { Category } from './categories.repository.js';
import type { CategoryResponse, CategoryTreeNode } from './categories.schemas.js';
import type { CategoryNode } from './categories.service.js';

export function presentCategory(category: Category): CategoryResponse {
  return {
    id: category.id,
    name: category.name,
    slug: category.slug,
    description: category.description,
    parent_id: category.parentId,
    product_count: category.productCount,
    created_at: category.createdAt.toISOString(),
    updated_at: category.updatedAt.toISOString(),
  };
}

export function presentTree(node: CategoryNode): CategoryTreeNode {
  return { ...presentCategory(node), children: node.children.map(presentTree) };
}
