/** Money is integer cents inside the module and a two-decimal string on the wire. */
export function formatCents(cents: number): string {
  const whole = Math.floor(cents / 100);
  const fraction = String(cents % 100).padStart(2, '0');
  return `${whole}.${fraction}`;
}

const DECIMAL = /^(\d+)(?:\.(\d{1,2}))?$/;

/** Reads a catalog price (`"12.50"`, or a number with at most two decimals) as cents. */
export function parseCents(value: string | number): number {
  const text = typeof value === 'number' ? String(value) : value;
  const match = DECIMAL.exec(text);
  if (!match) throw new Error(`not a price with at most two decimals: ${JSON.stringify(value)}`);
  return Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
}
