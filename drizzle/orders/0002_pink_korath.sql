CREATE TABLE "orders"."customers" (
	"user_id" integer PRIMARY KEY NOT NULL,
	"username" text NOT NULL,
	"email" text NOT NULL,
	"locale" text,
	"version" integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE "orders"."unsent_mails" (
	"order_id" uuid NOT NULL,
	"status" text NOT NULL,
	"user_id" integer NOT NULL,
	"total" text NOT NULL,
	CONSTRAINT "unsent_mails_order_id_status_pk" PRIMARY KEY("order_id","status")
);
--> statement-breakpoint
CREATE INDEX "unsent_mails_user_idx" ON "orders"."unsent_mails" USING btree ("user_id");