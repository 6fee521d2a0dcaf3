import { and, desc, eq } from 'drizzle-orm';
import type { Executor } from '../../platform/db/database.js';
import { saveIfNewer } from '../../platform/db/read-model.js';
import { addresses } from './cart.tables.js';
import type { ShippingAddress } from './contract.js';

export type AddressRevision = Omit<typeof addresses.$inferInsert, 'deleted'>;

/** Applies an address revision unless one as new or newer (or its tombstone) is already held. */
export async function applyAddress(tx: Executor, address: AddressRevision): Promise<void> {
  await saveIfNewer(tx, addresses, addresses.addressId, { ...address, deleted: false });
}

export async function tombstoneAddress(
  tx: Executor,
  tombstone: { addressId: number; userId: number; savedAt: Date; version: number },
): Promise<void> {
  const values = {
    ...tombstone,
    name: '',
    line1: '',
    city: '',
    postalCode: '',
    country: '',
    isDefault: false,
  };
  await saveIfNewer(
    tx,
    addresses,
    addresses.addressId,
    { ...values, deleted: true },
    {
      deleted: true,
      isDefault: false,
      version: tombstone.version,
    },
  );
}

/** The user's address `addressId`, or with none given their default; undefined when there is no such one. */
export async function findShippingAddress(
  executor: Executor,
  userId: number,
  addressId: number | undefined,
): Promise<ShippingAddress | undefined> {
  const chosen = addressId === undefined ? eq(addresses.isDefault, true) : eq(addresses.addressId, addressId);
  const [row] = await executor
    .select()
    .from(addresses)
    .where(and(eq(addresses.userId, userId), eq(addresses.deleted, false), chosen))
    // Two defaults are held only for a moment (their events crossed): the newer save wins.
    .orderBy(desc(addresses.savedAt))
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
}
