import type { UserRecord } from './users.repository.js';
import type { User } from './users.schemas.js';

/** A user as the API shows it: never the password hash. */
export function toUser(record: UserRecord): User {
  return {
    id: record.id,
    username: record.username,
    email: record.email,
    email_verified: record.emailVerified,
    first_name: record.firstName,
    last_name: record.lastName,
    phone: record.phone,
    address: record.address,
    locale: record.locale,
    is_staff: record.isStaff,
    is_active: record.isActive,
    date_joined: record.dateJoined.toISOString(),
  };
}
