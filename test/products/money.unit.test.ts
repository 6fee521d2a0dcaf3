import { describe, expect, it } from 'vitest';
import { formatCents, parseCents } from '../../src/platform/money.js';

describe('parseCents', () => {
  it.each([
    ['19.99', 1999],
    [19.99, 1999],
    ['0.1', 10],
    [0.1, 10],
    [0.2, 20],
    ['12.5', 1250],
    ['12', 1200],
    [0, 0],
    ['0.00', 0],
    ['99999999.99', 9_999_999_999],
    [99_999_999.99, 9_999_999_999],
    [1.005, undefined],
    [0.1 + 0.2, undefined],
    ['1.999', undefined],
    ['-1', undefined],
    [-1, undefined],
    ['1e3', undefined],
    [1e-7, undefined],
    ['', undefined],
    [' 1', undefined],
    ['100000000', undefined],
  ])('when %j is read, then it is %j cents', (value, cents) => {
    expect(parseCents(value)).toBe(cents);
  });
});

describe('formatCents', () => {
  it.each([
    [0, '0.00'],
    [5, '0.05'],
    [1250, '12.50'],
    [1999, '19.99'],
    [9_999_999_999, '99999999.99'],
  ])('when %d cents are written, then they read %s', (cents, text) => {
    expect(formatCents(cents)).toBe(text);
  });

  it('when every cent value up to 100.00 makes the round trip, then none is lost', () => {
    for (let cents = 0; cents <= 10_000; cents++) expect(parseCents(formatCents(cents))).toBe(cents);
  });
});
