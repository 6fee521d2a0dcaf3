CREATE TABLE "users"."login_attempts" (
	"key" text PRIMARY KEY NOT NULL,
	"attempts" integer NOT NULL,
	"resets_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE INDEX "login_attempts_resets_at_idx" ON "users"."login_attempts" USING btree ("resets_at");