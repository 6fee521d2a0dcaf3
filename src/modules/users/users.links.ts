import type { UserRecord } from './users.repository.js';

/** Where the links in account mails start: `PUBLIC_URL`, else the address the server listens at. */
export type LinkBase = () => string;

/** The page of the shop a mail links to, with the token in its query (256 bits, URL-safe). */
export function accountLink(base: LinkBase, page: 'reset-password' | 'verify-email', token: string): string {
  return `${base()}/${page}?token=${token}`;
}

/** How a mail greets the user. */
export function greetingName(user: Pick<UserRecord, 'firstName' | 'username'>): string {
  return user.firstName || user.username;
}
