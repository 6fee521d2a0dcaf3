import { describe, expect, it } from 'vitest';
import { isoOf } from '../../src/modules/products/product-view.repository.js';

describe('isoOf: a timestamptz text as the API writes times', () => {
  it.each([
    '2026-12-07 20:03:41.123456+00',
    '2026-12-07 20:03:41.999999+00',
    '2026-12-07 20:03:41.0005+00',
    '2026-12-07 20:03:41.5+00',
    '2026-12-07 20:03:41.12+00',
    '2026-12-07 20:03:41+00',
    '1999-01-01 00:00:00.000001+00',
    '2024-02-29 23:59:59.999+00',
  ])('when PostgreSQL writes %s in UTC, then it is what Date would write, milliseconds cut off', (text) => {
    expect(isoOf(text)).toBe(new Date(text).toISOString());
  });

  it.each(['2026-12-07 21:03:41.123456+01', '2026-12-07 15:33:41.5-04:30', '2026-12-07T20:03:41.123Z'])(
    'when the text is in another form (%s), then Date reads it',
    (text) => {
      expect(isoOf(text)).toBe(new Date(text).toISOString());
    },
  );

  it('when random UTC times are written as PostgreSQL does, then every one matches Date', () => {
    for (let run = 0; run < 2_000; run++) {
      const ms = Math.floor(Math.random() * 4e12);
      const micros = Math.floor(Math.random() * 1000);
      const iso = new Date(ms).toISOString();
      const fraction = `${iso.slice(20, 23)}${String(micros).padStart(3, '0')}`.replace(/0+$/u, '');
      const text = `${iso.slice(0, 10)} ${iso.slice(11, 19)}${fraction ? `.${fraction}` : ''}+00`;
      expect(isoOf(text), text).toBe(iso);
    }
  });

  it('when given a Date (PGlite parses times), then it writes it as is', () => {
    const time = new Date('2026-12-07T20:03:41.123Z');
    expect(isoOf(time)).toBe('2026-12-07T20:03:41.123Z');
  });
});
