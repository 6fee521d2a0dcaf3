CREATE TABLE "cart"."addresses" (
	"address_id" integer PRIMARY KEY NOT NULL,
	"user_id" integer NOT NULL,
	"name" text NOT NULL,
	"line1" text NOT NULL,
	"line2" text,
	"city" text NOT NULL,
	"postal_code" text NOT NULL,
	"region" text,
	"country" text NOT NULL,
	"phone" text,
	"is_default" boolean NOT NULL,
	"deleted" boolean DEFAULT false NOT NULL,
	"saved_at" timestamp with time zone NOT NULL,
	"version" integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX "addresses_user_idx" ON "cart"."addresses" USING btree ("user_id");