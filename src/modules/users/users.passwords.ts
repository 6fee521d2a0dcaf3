import { randomBytes } from 'node:crypto';
import argon2 from 'argon2';

export interface Argon2Cost {
  memoryCost: number;
  timeCost: number;
}

/**
 * Argon2id with parallelism 1 (OWASP: at least 19 MiB and t=2). Verifying for an unknown user
 * runs against a dummy hash of the same cost, so a login takes as long whether the user exists or not.
 */
export class PasswordHasher {
  private readonly options: Argon2Cost & { parallelism: number };
  private dummy: Promise<string> | undefined;

  constructor(cost: Argon2Cost) {
    this.options = { ...cost, parallelism: 1 };
  }

  hash(password: string): Promise<string> {
    return argon2.hash(password, { ...this.options, type: argon2.argon2id });
  }

  async verify(hash: string, password: string): Promise<boolean> {
    try {
      return await argon2.verify(hash, password);
    } catch {
      return false;
    }
  }

  /** Spends the time of a real verification and always fails. */
  async verifyNothing(password: string): Promise<false> {
    this.dummy ??= this.hash(randomBytes(16).toString('base64url'));
    await this.verify(await this.dummy, password);
    return false;
  }

  /** True when the hash was made with other (older) costs than the configured ones. */
  isOutdated(hash: string): boolean {
    try {
      return argon2.needsRehash(hash, this.options);
    } catch {
      return true;
    }
  }
}
