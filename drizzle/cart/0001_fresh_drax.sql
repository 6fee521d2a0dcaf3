CREATE TABLE "cart"."checkouts" (
	"order_id" uuid PRIMARY KEY NOT NULL,
	"user_id" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"order_created_at" timestamp with time zone
);
