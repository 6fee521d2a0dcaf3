/** The listing orders a client may ask for; anything else is a 400. */
export const ORDERINGS = [
  'price',
  '-price',
  'name',
  '-name',
  'created_at',
  '-created_at',
  'rating',
  '-rating',
] as const;
export type Ordering = (typeof ORDERINGS)[number];

/** Newest first; ties (a bulk load shares one timestamp) broken by id, so pages are stable. */
export const DEFAULT_ORDERING: Ordering = '-created_at';
