import type { Database, Executor } from '../../platform/db/database.js';
import { recordEvents } from '../../platform/events/outbox.js';
import type { PageWindow } from '../../platform/http/paging.js';
import { addressDeleted, addressSaved } from './addresses.events.js';
import type { AddressFields, AddressRecord } from './addresses.repository.js';
import * as repository from './addresses.repository.js';
import { type AddressBody, type AddressChangeBody, MAX_ADDRESSES } from './addresses.schemas.js';
import {
  AddressLimitError,
  AddressNotFoundError,
  DefaultAddressRequiredError,
  UserNotFoundError,
} from './users.errors.js';

/** Blank optional text is kept as null; every kept string is trimmed. */
const trimmed = (text: string | null | undefined) => (text == null ? text : text.trim() || null);

function fieldsOf(body: AddressChangeBody): Partial<AddressFields> {
  const fields: Partial<AddressFields> = {
    name: body.name?.trim(),
    line1: body.line1?.trim(),
    line2: trimmed(body.line2),
    city: body.city?.trim(),
    postalCode: body.postal_code?.trim(),
    region: trimmed(body.region),
    country: body.country,
    phone: trimmed(body.phone),
  };
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));
}

/**
 * The address book. Every write locks the user's row first, so the limit and the one default hold
 * under races; every change of an address publishes it (`user.address_saved` / `_deleted`) in the
 * same transaction. While the book is not empty exactly one address is the default: the first one
 * is, a new default replaces the old, and deleting the default promotes the newest remaining one.
 */
export class AddressesService {
  constructor(private readonly database: Database) {}

  list(userId: number, window: PageWindow): Promise<{ count: number; rows: AddressRecord[] }> {
    return repository.listAddresses(this.database.db, userId, window);
  }

  async get(userId: number, id: number): Promise<AddressRecord> {
    const address = await repository.findAddress(this.database.db, userId, id);
    if (!address) throw new AddressNotFoundError(id);
    return address;
  }

  create(userId: number, body: AddressBody): Promise<AddressRecord> {
    return this.database.transaction(async (tx) => {
      await this.lock(tx, userId);
      const existing = await repository.countAddresses(tx, userId);
      if (existing >= MAX_ADDRESSES) throw new AddressLimitError(MAX_ADDRESSES);
      const isDefault = existing === 0 || body.is_default === true;
      const demoted = isDefault ? await repository.unsetDefault(tx, userId, 0) : [];
      const address = await repository.insertAddress(tx, {
        ...(fieldsOf(body) as AddressFields),
        userId,
        isDefault,
      });
      await recordEvents(tx, [...demoted, address].map(addressSaved));
      return address;
    });
  }

  change(userId: number, id: number, body: AddressChangeBody): Promise<AddressRecord> {
    return this.database.transaction(async (tx) => {
      await this.lock(tx, userId);
      const current = await repository.findAddress(tx, userId, id);
      if (!current) throw new AddressNotFoundError(id);
      if (current.isDefault && body.is_default === false) throw new DefaultAddressRequiredError();
      const fields = fieldsOf(body);
      const becomesDefault = body.is_default === true && !current.isDefault;
      if (Object.keys(fields).length === 0 && !becomesDefault) return current;
      const demoted = becomesDefault ? await repository.unsetDefault(tx, userId, id) : [];
      const address = await repository.updateAddress(tx, id, {
        ...fields,
        ...(becomesDefault ? { isDefault: true } : {}),
      });
      await recordEvents(tx, [...demoted, address].map(addressSaved));
      return address;
    });
  }

  remove(userId: number, id: number): Promise<void> {
    return this.database.transaction(async (tx) => {
      await this.lock(tx, userId);
      const address = await repository.findAddress(tx, userId, id);
      if (!address) throw new AddressNotFoundError(id);
      await repository.deleteAddress(tx, id);
      const promoted = address.isDefault ? await this.promoteNewest(tx, userId) : undefined;
      await recordEvents(tx, [addressDeleted(address), ...(promoted ? [addressSaved(promoted)] : [])]);
    });
  }

  private async promoteNewest(tx: Executor, userId: number): Promise<AddressRecord | undefined> {
    const newest = await repository.newestAddress(tx, userId);
    return newest && repository.updateAddress(tx, newest.id, { isDefault: true });
  }

  private async lock(tx: Executor, userId: number): Promise<void> {
    if (!(await repository.lockOwner(tx, userId))) throw new UserNotFoundError();
  }
}
