-- Trigram indexes for `search` (name/description ILIKE '%…%'), where pg_trgm can be installed.
-- PostgreSQL ships it (a trusted extension since 13); PGlite has it only when the extension is
-- loaded into the client (the platform loads it; 0004 adds these where an older folder lacks them).
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
