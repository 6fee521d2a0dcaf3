import { and, desc, eq } from 'drizzle-orm';
import { boolean, index, integer, type PgSchema, text, timestamp } from 'drizzle-orm/pg-core';
import type { Executor } from './executor.js';
import { saveIfNewer } from './read-model.js';

// The users' address books as a read model: the cart (checkout) and orders (POST /api/orders) each
// keep their own copy, fed by the users module's `address.saved` and `address.deleted`, and copy the
// chosen address into the order. Each module owns its table (in its own schema and migrations);
// the table's shape and what is done with it are the same, so they are written once, here.

/** The address book's table in a module's schema (the module's `*.tables.ts` exports it). */
export function addressBookTable<Schema extends string>(schema: PgSchema<Schema>) {
  return schema.table(
    'addresses',
    {
      addressId: integer('address_id').primaryKey(),
      userId: integer('user_id').notNull(),
      name: text('name').notNull(),
      line1: text('line1').notNull(),
      line2: text('line2'),
      city: text('city').notNull(),
      postalCode: text('postal_code').notNull(),
      region: text('region'),
      country: text('country').notNull(),
      phone: text('phone'),
      isDefault: boolean('is_default').notNull(),
      deleted: boolean('deleted').notNull().default(false),
      savedAt: timestamp('saved_at', { withTimezone: true }).notNull(),
      version: integer('version').notNull(),
    },
    (table) => [index('addresses_user_idx').on(table.userId)],
  );
}

export type AddressBookTable = ReturnType<typeof addressBookTable<string>>;

/** What `address.saved` carries (the users module's contract; its events fit this shape). */
export interface SavedAddress {
  address_id: number;
  user_id: number;
  name: string;
  line1: string;
  line2: string | null;
  city: string;
  postal_code: string;
  region: string | null;
  country: string;
  phone: string | null;
  is_default: boolean;
  timestamp: string;
  version: number;
}

/** What `address.deleted` carries. */
export interface DeletedAddress {
  address_id: number;
  user_id: number;
  timestamp: string;
  version: number;
}

/** The copy of an address an order keeps: what it was when the order was placed. */
export type AddressCopy = Omit<SavedAddress, 'user_id' | 'is_default' | 'timestamp' | 'version'>;

export interface AddressBook {
  /** `address.saved`: the revision, unless one as new or newer (or its tombstone) is held. Version-guarded. */
  saved(event: SavedAddress, executor: Executor): Promise<void>;
  /** `address.deleted`: a tombstone, so that an older revision arriving late changes nothing. Version-guarded. */
  deleted(event: DeletedAddress, executor: Executor): Promise<void>;
  /** The user's address `addressId`, or with none given their default; undefined when there is no such one. */
  find(executor: Executor, userId: number, addressId: number | undefined): Promise<AddressCopy | undefined>;
}

/** The address book kept in `table`. */
export function addressBook(table: AddressBookTable): AddressBook {
  return {
    async saved(event, executor) {
      const revision = {
        addressId: event.address_id,
        userId: event.user_id,
        name: event.name,
        line1: event.line1,
        line2: event.line2,
        city: event.city,
        postalCode: event.postal_code,
        region: event.region,
        country: event.country,
        phone: event.phone,
        isDefault: event.is_default,
        deleted: false,
        savedAt: new Date(event.timestamp),
        version: event.version,
      };
      await saveIfNewer(executor, table, table.addressId, revision);
    },

    async deleted(event, executor) {
      const tombstone = {
        addressId: event.address_id,
        userId: event.user_id,
        name: '',
        line1: '',
        city: '',
        postalCode: '',
        country: '',
        isDefault: false,
        deleted: true,
        savedAt: new Date(event.timestamp),
        version: event.version,
      };
      const change = { deleted: true, isDefault: false, version: event.version };
      await saveIfNewer(executor, table, table.addressId, tombstone, change);
    },

    async find(executor, userId, addressId) {
      const chosen = addressId === undefined ? eq(table.isDefault, true) : eq(table.addressId, addressId);
      const [row] = await executor
        .select()
        .from(table)
        .where(and(eq(table.userId, userId), eq(table.deleted, false), chosen))
        // Two defaults are held only for a moment (their events crossed): the newer save wins.
        .orderBy(desc(table.savedAt))
        .limit(1);
      return (
        row && {
          address_id: row.addressId,
          name: row.name,
          line1: row.line1,
          line2: row.line2,
          city: row.city,
          postal_code: row.postalCode,
          region: row.region,
          country: row.country,
          phone: row.phone,
        }
      );
    },
  };
}
