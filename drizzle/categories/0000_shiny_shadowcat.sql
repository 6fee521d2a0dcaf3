CREATE SCHEMA "categories";
--> statement-breakpoint
CREATE TABLE "categories"."categories" (
	"id" serial PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"slug" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"parent_id" integer,
	"product_count" integer DEFAULT 0 NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "categories_slug_key" UNIQUE("slug")
);
--> statement-breakpoint
CREATE TABLE "categories"."product_refs" (
	"product_id" integer PRIMARY KEY NOT NULL,
	"category_id" integer,
	"deleted" boolean NOT NULL,
	"version" integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE "categories"."categories" ADD CONSTRAINT "categories_parent_id_categories_id_fk" FOREIGN KEY ("parent_id") REFERENCES "categories"."categories"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "categories_name_lower_key" ON "categories"."categories" USING btree (lower("name"));--> statement-breakpoint
CREATE INDEX "categories_parent_idx" ON "categories"."categories" USING btree ("parent_id");--> statement-breakpoint
CREATE INDEX "categories_name_idx" ON "categories"."categories" USING btree ("name","id");