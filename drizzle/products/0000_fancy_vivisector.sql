CREATE SCHEMA "products";
--> statement-breakpoint
CREATE TABLE "products"."category_refs" (
	"id" integer PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"parent_id" integer,
	"deleted" boolean DEFAULT false NOT NULL,
	"version" integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE "products"."products" (
	"id" serial PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"price_cents" bigint NOT NULL,
	"category_id" integer NOT NULL,
	"animal_type" text NOT NULL,
	"stock" integer DEFAULT 0 NOT NULL,
	"specifications" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"rating_avg" numeric(2, 1),
	"rating_count" integer DEFAULT 0 NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deleted_at" timestamp with time zone,
	CONSTRAINT "products_stock_not_negative" CHECK ("products"."products"."stock" >= 0),
	CONSTRAINT "products_price_range" CHECK ("products"."products"."price_cents" between 0 and 9999999999),
	CONSTRAINT "products_animal_type_known" CHECK ("products"."products"."animal_type" in ('dog', 'cat', 'bird', 'fish', 'small_pet', 'other'))
);
--> statement-breakpoint
CREATE TABLE "products"."reservations" (
	"order_id" uuid PRIMARY KEY NOT NULL,
	"status" text NOT NULL,
	"items" jsonb NOT NULL,
	"reason" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "reservations_status_known" CHECK ("products"."reservations"."status" in ('pending', 'reserved', 'rejected', 'released', 'cancelled'))
);
--> statement-breakpoint
CREATE TABLE "products"."review_refs" (
	"review_id" integer PRIMARY KEY NOT NULL,
	"product_id" integer NOT NULL,
	"rating" smallint NOT NULL,
	"deleted" boolean NOT NULL,
	"version" integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX "category_refs_parent_idx" ON "products"."category_refs" USING btree ("parent_id");--> statement-breakpoint
CREATE INDEX "products_category_idx" ON "products"."products" USING btree ("category_id") WHERE deleted_at is null;--> statement-breakpoint
CREATE INDEX "products_animal_type_idx" ON "products"."products" USING btree ("animal_type") WHERE deleted_at is null;--> statement-breakpoint
CREATE INDEX "products_price_idx" ON "products"."products" USING btree ("price_cents","id") WHERE deleted_at is null;--> statement-breakpoint
CREATE INDEX "products_created_idx" ON "products"."products" USING btree ("created_at","id") WHERE deleted_at is null;--> statement-breakpoint
CREATE INDEX "products_name_idx" ON "products"."products" USING btree ("name","id") WHERE deleted_at is null;--> statement-breakpoint
CREATE INDEX "products_rating_idx" ON "products"."products" USING btree ("rating_avg","id") WHERE deleted_at is null;--> statement-breakpoint
CREATE INDEX "products_rating_desc_idx" ON "products"."products" USING btree ("rating_avg" DESC NULLS LAST,"id" DESC NULLS FIRST) WHERE deleted_at is null;--> statement-breakpoint
CREATE INDEX "review_refs_product_idx" ON "products"."review_refs" USING btree ("product_id") WHERE not deleted;