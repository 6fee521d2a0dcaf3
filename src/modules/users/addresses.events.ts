import { eventOf } from '../../platform/events/contracts.js';
import type { OutboxEvent } from '../../platform/events/outbox.js';
import type { AddressRecord } from './addresses.repository.js';
import { UserEvent, usersContract } from './contract.js';

/** `user.address_saved` carries the whole address; `version` is the address's. */
export function addressSaved(address: AddressRecord): OutboxEvent {
  return eventOf(usersContract, UserEvent.addressSaved, address.version, {
    address_id: address.id,
    user_id: address.userId,
    name: address.name,
    line1: address.line1,
    line2: address.line2,
    city: address.city,
    postal_code: address.postalCode,
    region: address.region,
    country: address.country,
    phone: address.phone,
    is_default: address.isDefault,
  });
}

/** `user.address_deleted`: one revision past the address's last, so no older save revives it. */
export function addressDeleted(address: AddressRecord): OutboxEvent {
  return eventOf(usersContract, UserEvent.addressDeleted, address.version + 1, {
    address_id: address.id,
    user_id: address.userId,
  });
}
