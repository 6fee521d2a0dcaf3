import { DrizzleQueryError } from 'drizzle-orm/errors';
import { describe, expect, it } from 'vitest';
import { classifyFailure, DatabaseUnavailableError } from '../../src/platform/db/failures.js';

const coded = (code: string) => Object.assign(new Error(`failure ${code}`), { code });

describe('classifying database failures', () => {
  it.each([
    'ECONNREFUSED',
    'ECONNRESET',
    'EPIPE',
    'ETIMEDOUT',
    'CONNECTION_CLOSED',
    'CONNECTION_DESTROYED',
    'CONNECT_TIMEOUT',
    '57P01',
    '57P02',
    '57P03',
    '53300',
    '08000',
    '08003',
    '08006',
    '08P01',
  ])('when a failure has code %s, then the database is unavailable', (code) => {
    expect(classifyFailure(coded(code))).toBe('unavailable');
  });

  it.each(['40001', '40P01'])('when a failure has code %s, then it is contention', (code) => {
    expect(classifyFailure(coded(code))).toBe('contention');
  });

  it.each(['23505', '23503', '22P02', '42P01', '57014', 'ERR_SOMETHING'])(
    'when a failure has code %s, then it is permanent',
    (code) => {
      expect(classifyFailure(coded(code))).toBe('permanent');
    },
  );

  it('when the driver error is wrapped by drizzle or in an AggregateError, then its code still decides', () => {
    expect(classifyFailure(new DrizzleQueryError('select 1', [], coded('57P01')))).toBe('unavailable');
    expect(classifyFailure(new AggregateError([new Error('x'), coded('40P01')]))).toBe('contention');
  });

  it('when a failure has no code, or is not an error at all, then it is permanent', () => {
    expect(classifyFailure(new Error('the handler could not make sense of it'))).toBe('permanent');
    expect(classifyFailure('a string')).toBe('permanent');
    expect(classifyFailure(null)).toBe('permanent');
    expect(classifyFailure({ code: 42 })).toBe('permanent');
  });

  it('when the platform itself knows the database is away, then it says unavailable', () => {
    expect(classifyFailure(new DatabaseUnavailableError('the database session is closed'))).toBe(
      'unavailable',
    );
  });

  it('when a cause chain loops, then classifying ends', () => {
    const looping: Error & { cause?: unknown } = new Error('loop');
    looping.cause = looping;
    expect(classifyFailure(looping)).toBe('permanent');
  });
});
