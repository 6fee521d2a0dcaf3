import { createHash, randomBytes } from 'node:crypto';

/** An opaque token (refresh, reset or verification): 256 random bits, URL-safe, never stored as such. */
export function newOpaqueToken(): string {
  return randomBytes(32).toString('base64url');
}

/** A refresh token. */
export const newRefreshToken = newOpaqueToken;

/** What the database keeps of an opaque token. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export const hashRefreshToken = hashToken;
