CREATE TABLE "products"."product_counts" (
	"category_id" integer NOT NULL,
	"animal_type" text NOT NULL,
	"live" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "product_counts_category_id_animal_type_pk" PRIMARY KEY("category_id","animal_type")
);
--> statement-breakpoint
-- Live products per category and animal type, so that a listing filtered by nothing else (the
-- first page, a category with its sub-categories, an animal type) counts exactly without scanning
-- the catalog. Kept by triggers in the same transaction as every change of products.products:
-- inserts per statement (bulk loads add one row per group), updates only when the category, the
-- animal type or the tombstone change (not on stock or rating changes), deletes and truncates.
CREATE FUNCTION products.count_inserted_products() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO products.product_counts AS counts (category_id, animal_type, live)
  SELECT category_id, animal_type, count(*)::int FROM inserted
  WHERE deleted_at IS NULL
  GROUP BY category_id, animal_type
  ORDER BY category_id, animal_type
  ON CONFLICT (category_id, animal_type) DO UPDATE SET live = counts.live + excluded.live;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE FUNCTION products.count_changed_product() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.deleted_at IS NULL THEN
    UPDATE products.product_counts SET live = live - 1
    WHERE category_id = OLD.category_id AND animal_type = OLD.animal_type;
  END IF;
  IF TG_OP = 'UPDATE' AND NEW.deleted_at IS NULL THEN
    INSERT INTO products.product_counts AS counts (category_id, animal_type, live)
    VALUES (NEW.category_id, NEW.animal_type, 1)
    ON CONFLICT (category_id, animal_type) DO UPDATE SET live = counts.live + 1;
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE FUNCTION products.count_truncated_products() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM products.product_counts;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER products_count_inserted AFTER INSERT ON products.products
  REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT
  EXECUTE FUNCTION products.count_inserted_products();
--> statement-breakpoint
CREATE TRIGGER products_count_changed AFTER UPDATE OF category_id, animal_type, deleted_at ON products.products
  FOR EACH ROW WHEN (
    OLD.category_id IS DISTINCT FROM NEW.category_id
    OR OLD.animal_type IS DISTINCT FROM NEW.animal_type
    OR (OLD.deleted_at IS NULL) <> (NEW.deleted_at IS NULL))
  EXECUTE FUNCTION products.count_changed_product();
--> statement-breakpoint
CREATE TRIGGER products_count_deleted AFTER DELETE ON products.products
  FOR EACH ROW EXECUTE FUNCTION products.count_changed_product();
--> statement-breakpoint
CREATE TRIGGER products_count_truncated AFTER TRUNCATE ON products.products
  FOR EACH STATEMENT EXECUTE FUNCTION products.count_truncated_products();
--> statement-breakpoint
INSERT INTO products.product_counts (category_id, animal_type, live)
SELECT category_id, animal_type, count(*)::int FROM products.products
WHERE deleted_at IS NULL GROUP BY category_id, animal_type;
