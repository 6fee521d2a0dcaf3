CREATE SCHEMA "cart";
--> statement-breakpoint
CREATE TABLE "cart"."items" (
	"user_id" integer NOT NULL,
	"product_id" integer NOT NULL,
	"quantity" integer NOT NULL,
	"added_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "items_user_id_product_id_pk" PRIMARY KEY("user_id","product_id"),
	CONSTRAINT "items_quantity_range" CHECK ("cart"."items"."quantity" between 1 and 99)
);
--> statement-breakpoint
CREATE TABLE "cart"."carts" (
	"user_id" integer PRIMARY KEY NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "cart"."categories" (
	"category_id" integer PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"deleted" boolean DEFAULT false NOT NULL,
	"version" integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE "cart"."products" (
	"product_id" integer PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"price_cents" bigint NOT NULL,
	"stock" integer NOT NULL,
	"category_id" integer,
	"deleted" boolean DEFAULT false NOT NULL,
	"version" integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE "cart"."items" ADD CONSTRAINT "items_user_id_carts_user_id_fk" FOREIGN KEY ("user_id") REFERENCES "cart"."carts"("user_id") ON DELETE cascade ON UPDATE no action;