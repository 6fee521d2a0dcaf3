import type { AddressRecord } from './addresses.repository.js';
import type { Address } from './addresses.schemas.js';

export function toAddress(record: AddressRecord): Address {
  return {
    id: record.id,
    name: record.name,
    line1: record.line1,
    line2: record.line2,
    city: record.city,
    postal_code: record.postalCode,
    region: record.region,
    country: record.country,
    phone: record.phone,
    is_default: record.isDefault,
    created_at: record.createdAt.toISOString(),
    updated_at: record.updatedAt.toISOString(),
  };
}
