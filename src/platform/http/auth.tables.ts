import { boolean, integer, timestamp } from 'drizzle-orm/pg-core';
import { platform } from '../events/events.tables.js';

/**
 * Who may act, as the users module last said: checked on every authenticated request so that a
 * deactivated or demoted user loses access at once, in every process of a split deployment.
 */
export const principals = platform.table('principals', {
  userId: integer('user_id').primaryKey(),
  isActive: boolean('is_active').notNull(),
  isStaff: boolean('is_staff').notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});
