import { addressBook } from '../../platform/db/address-book.js';
import { addresses } from './orders.tables.js';

/** The users' address books as this module knows them (`src/platform/db/address-book.ts`). */
export const addressesOfUsers = addressBook(addresses);
