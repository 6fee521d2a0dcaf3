/** Money is integer cents inside and a two-decimal string outside; a float never holds a price. */
export const MAX_PRICE_CENTS = 9_999_999_999;

/** What a price may look like as text: up to 8 digits, then up to 2 decimals. */
export const DECIMAL_PATTERN = '^[0-9]{1,8}(\\.[0-9]{1,2})?$';
const DECIMAL = /^(?<units>[0-9]{1,8})(?:\.(?<decimals>[0-9]{1,2}))?$/;

/**
 * "12.5" → 1250. A JSON number is read through its shortest decimal spelling (`String(19.99)` is
 * "19.99"), so 0.1 + 0.2 = 0.30000000000000004 is refused rather than rounded. Undefined when the
 * value is not a price.
 */
export function parseCents(value: string | number): number | undefined {
  const text = typeof value === 'number' ? String(value) : value;
  const match = DECIMAL.exec(text);
  if (!match) return undefined;
  const { units = '0', decimals = '' } = match.groups ?? {};
  const cents = Number(units) * 100 + Number(decimals.padEnd(2, '0'));
  return cents <= MAX_PRICE_CENTS ? cents : undefined;
}

/** 1250 → "12.50". */
export function formatCents(cents: number): string {
  const units = Math.floor(cents / 100);
  return `${units}.${String(cents % 100).padStart(2, '0')}`;
}

/** A price carried by another module's event: malformed means the event is wrong, so it throws (retry, then dead letter). */
export function centsOf(value: string | number): number {
  const cents = parseCents(value);
  if (cents === undefined) throw new Error(`not a price with at most two decimals: ${JSON.stringify(value)}`);
  return cents;
}
