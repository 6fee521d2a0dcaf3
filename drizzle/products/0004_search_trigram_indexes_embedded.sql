-- The trigram indexes of 0001 again, for the embedded database: the platform now loads PGlite's
-- pg_trgm, so a PGlite data folder made before (where 0001 found no pg_trgm and skipped them) gets
-- them now. Where 0001 made them (PostgreSQL), IF NOT EXISTS makes this a no-op.
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm') THEN
    CREATE EXTENSION IF NOT EXISTS pg_trgm;
    CREATE INDEX IF NOT EXISTS products_name_trgm_idx
      ON products.products USING gin (name gin_trgm_ops) WHERE deleted_at IS NULL;
    CREATE INDEX IF NOT EXISTS products_description_trgm_idx
      ON products.products USING gin (description gin_trgm_ops) WHERE deleted_at IS NULL;
  ELSE
    RAISE NOTICE 'pg_trgm is not available: product search runs without a trigram index';
  END IF;
EXCEPTION WHEN insufficient_privilege THEN
  RAISE NOTICE 'pg_trgm could not be installed (%): product search runs without a trigram index', SQLERRM;
END
$$;
