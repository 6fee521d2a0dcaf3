import { type Static, Type } from '@sinclair/typebox';
import type { ModuleContract } from '../../platform/events/envelope.js';

export const USER_EVENTS = 'user_events';

export const UserEvent = {
  created: 'user.created',
  updated: 'user.updated',
  addressSaved: 'user.address_saved',
  addressDeleted: 'user.address_deleted',
} as const;

/** The payload of `user.created` and `user.updated`, beyond the envelope. */
export const UserEventPayload = Type.Object(
  {
    user_id: Type.Integer(),
    username: Type.String(),
    email: Type.String(),
    is_active: Type.Boolean(),
    /** The user's language tag (`es`, `es-AR`); null is English. Absent in events before it existed. */
    locale: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  },
  { examples: [{ user_id: 5, username: 'ana', email: 'ana@example.com', is_active: true, locale: 'es' }] },
);
export type UserEventPayload = Static<typeof UserEventPayload>;

const Nullable = (schema: ReturnType<typeof Type.String>) => Type.Union([schema, Type.Null()]);

/** The payload of `user.address_saved`: the whole address after the change; `version` is the address's. */
export const AddressSavedPayload = Type.Object(
  {
    address_id: Type.Integer(),
    user_id: Type.Integer(),
    name: Type.String(),
    line1: Type.String(),
    line2: Nullable(Type.String()),
    city: Type.String(),
    postal_code: Type.String(),
    region: Nullable(Type.String()),
    country: Type.String({ description: 'ISO 3166-1 alpha-2, upper case' }),
    phone: Nullable(Type.String()),
    is_default: Type.Boolean(),
  },
  {
    examples: [
      {
        address_id: 12,
        user_id: 5,
        name: 'Ana Ruiz',
        line1: 'Calle Mayor 1',
        line2: '3º B',
        city: 'Madrid',
        postal_code: '28013',
        region: 'Madrid',
        country: 'ES',
        phone: '+34 600 123 456',
        is_default: true,
      },
    ],
  },
);
export type AddressSavedPayload = Static<typeof AddressSavedPayload>;

/** The payload of `user.address_deleted`; `version` is the address's last revision plus one. */
export const AddressDeletedPayload = Type.Object(
  { address_id: Type.Integer(), user_id: Type.Integer() },
  { examples: [{ address_id: 12, user_id: 5 }] },
);

export const usersContract = {
  exchange: USER_EVENTS,
  events: [
    {
      routingKey: UserEvent.created,
      payload: UserEventPayload,
      description: 'A user registered or was bootstrapped.',
    },
    {
      routingKey: UserEvent.updated,
      payload: UserEventPayload,
      description: 'A user changed their profile, or an admin changed their role or activity.',
    },
    {
      routingKey: UserEvent.addressSaved,
      payload: AddressSavedPayload,
      description:
        'An address of an address book was created or changed, including when it became or stopped being the default.',
    },
    {
      routingKey: UserEvent.addressDeleted,
      payload: AddressDeletedPayload,
      description: 'An address was deleted from its address book.',
    },
  ],
} as const satisfies ModuleContract;
