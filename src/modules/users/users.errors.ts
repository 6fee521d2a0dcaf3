import {
  AppError,
  BadRequestError,
  ConflictError,
  NotFoundError,
  UnauthorizedError,
} from '../../platform/http/errors.js';

export class UserNotFoundError extends NotFoundError {
  constructor() {
    super('USERS.NOT_FOUND', 'No such user');
  }
}

export class UsernameTakenError extends ConflictError {
  constructor() {
    super('USERS.USERNAME_TAKEN', 'A user with this username already exists');
  }
}

export class EmailTakenError extends ConflictError {
  constructor() {
    super('USERS.EMAIL_TAKEN', 'A user with this email already exists');
  }
}

/** One answer for an unknown user, a wrong password and an inactive account. */
export class InvalidCredentialsError extends UnauthorizedError {
  constructor() {
    super('The credentials are not valid', 'USERS.INVALID_CREDENTIALS');
  }
}

export class InvalidRefreshTokenError extends UnauthorizedError {
  constructor() {
    super('The refresh token is not valid', 'USERS.INVALID_REFRESH_TOKEN');
  }
}

export class WrongCurrentPasswordError extends BadRequestError {
  constructor() {
    super('USERS.WRONG_PASSWORD', 'The current password is not correct', [
      { path: 'body.current_password', message: 'is not correct' },
    ]);
  }
}

/** A password a guesser would find early (under `MIN_PASSWORD_GUESSES_LOG10`), with advice. */
export class WeakPasswordError extends BadRequestError {
  constructor(field: 'password' | 'new_password', advice: string) {
    super('USERS.WEAK_PASSWORD', advice, [{ path: `body.${field}`, message: advice }]);
  }
}

export class LoginIdentifierError extends BadRequestError {
  constructor() {
    super('VALIDATION_FAILED', 'Give exactly one of username and email', [
      { path: 'body.username', message: 'give exactly one of username and email' },
    ]);
  }
}

export class SelfLockoutError extends ConflictError {
  constructor() {
    super('USERS.SELF_LOCKOUT', 'An admin cannot deactivate or demote their own account');
  }
}

export class TooManyAttemptsError extends AppError {
  constructor(
    readonly retryAfterSeconds: number,
    message = 'Too many failed attempts; try again later',
  ) {
    super(429, 'USERS.TOO_MANY_ATTEMPTS', message);
  }
}

/** One answer for an unknown, expired, used or superseded reset token. */
export class InvalidResetTokenError extends BadRequestError {
  constructor() {
    super('USERS.INVALID_RESET_TOKEN', 'The password reset link is not valid or has expired', [
      { path: 'body.token', message: 'is not valid or has expired; ask for a new link' },
    ]);
  }
}
/** One answer for an unknown, expired, used or superseded verification token. */
export class InvalidVerificationTokenError extends BadRequestError {
  constructor() {
    super('USERS.INVALID_VERIFICATION_TOKEN', 'The verification link is not valid or has expired', [
      { path: 'body.token', message: 'is not valid or has expired; ask for a new link' },
    ]);
  }
}

export class EmailAlreadyVerifiedError extends ConflictError {
  constructor() {
    super('USERS.EMAIL_ALREADY_VERIFIED', 'This e-mail address is already verified');
  }
}

export class AddressNotFoundError extends NotFoundError {
  constructor(id: number) {
    super('USERS.ADDRESS_NOT_FOUND', `No address ${id} in your address book`);
  }
}

export class AddressLimitError extends ConflictError {
  constructor(max: number) {
    super('USERS.ADDRESS_LIMIT', `An address book holds at most ${max} addresses; delete one first`);
  }
}

/** While the book has addresses one of them is the default: another is made the default instead. */
export class DefaultAddressRequiredError extends ConflictError {
  constructor() {
    super(
      'USERS.DEFAULT_ADDRESS_REQUIRED',
      'This is your default address; make another address the default instead',
    );
  }
}
