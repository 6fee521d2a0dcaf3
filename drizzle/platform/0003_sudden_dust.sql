CREATE TABLE "platform"."consumed_counts" (
	"queue" text PRIMARY KEY NOT NULL,
	"handled" bigint DEFAULT 0 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
