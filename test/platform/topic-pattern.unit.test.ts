import { describe, expect, it } from 'vitest';
import { topicMatches } from '../../src/platform/events/topic-pattern.js';

describe('AMQP topic patterns', () => {
  it.each([
    ['product.*', 'product.created', true],
    ['product.*', 'product', false],
    ['product.*', 'product.stock.low', false],
    ['product.#', 'product', true],
    ['product.#', 'product.stock.low', true],
    ['#', 'anything.at.all', true],
    ['#', '', true],
    ['*.created', 'order.created', true],
    ['*.created', 'created', false],
    ['stock.#.done', 'stock.done', true],
    ['stock.#.done', 'stock.a.b.done', true],
    ['stock.#.done', 'stock.a.b', false],
    ['#.deleted', 'category.deleted', true],
    ['order.created', 'order.created', true],
    ['order.created', 'order.createdx', false],
    ['*', 'one', true],
    ['*', 'one.two', false],
  ])('when the pattern is %s and the key %s, then it matches: %s', (pattern, key, expected) => {
    expect(topicMatches(pattern, key)).toBe(expected);
  });
});
