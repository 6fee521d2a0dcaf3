CREATE TABLE "platform"."mail_outbox" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"key" text,
	"recipient" text NOT NULL,
	"template" text NOT NULL,
	"locale" text NOT NULL,
	"data" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone DEFAULT now() NOT NULL,
	"claimed_until" timestamp with time zone,
	"last_error" text,
	"sent_at" timestamp with time zone,
	"parked_at" timestamp with time zone,
	CONSTRAINT "mail_outbox_key_unique" UNIQUE("key")
);
--> statement-breakpoint
CREATE INDEX "mail_outbox_due_idx" ON "platform"."mail_outbox" USING btree ("next_attempt_at","id") WHERE sent_at is null and parked_at is null;--> statement-breakpoint
CREATE INDEX "mail_outbox_parked_idx" ON "platform"."mail_outbox" USING btree ("id") WHERE parked_at is not null;