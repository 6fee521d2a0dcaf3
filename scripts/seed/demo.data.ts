/**
 * The demo shop's people and what they did. The passwords are published (README.md) on purpose:
 * these accounts exist to be logged into by whoever explores the demo. Never seed them into a
 * shop that faces the internet.
 */
export interface DemoAddress {
  name: string;
  line1: string;
  line2?: string;
  city: string;
  postal_code: string;
  region?: string;
  country: string;
  phone?: string;
}

export interface DemoCustomer {
  username: string;
  email: string;
  password: string;
  first_name: string;
  last_name: string;
  /** Their address book; the first is the default, which their orders ship to. */
  addresses: DemoAddress[];
}

export const DEMO_CUSTOMERS: DemoCustomer[] = [
  {
    username: 'ana.demo',
    email: 'ana.demo@example.com',
    password: 'velvet-otter-harbour-27',
    first_name: 'Ana',
    last_name: 'Lopez',
    addresses: [
      {
        name: 'Ana Lopez',
        line1: 'Calle de Alcalá 42',
        line2: '2º izquierda',
        city: 'Madrid',
        postal_code: '28014',
        region: 'Madrid',
        country: 'ES',
        phone: '+34 600 111 222',
      },
      {
        name: 'Ana Lopez',
        line1: 'Avenida del Mar 7',
        city: 'Valencia',
        postal_code: '46011',
        country: 'ES',
      },
    ],
  },
  {
    username: 'bruno.demo',
    email: 'bruno.demo@example.com',
    password: 'copper-finch-lantern-63',
    first_name: 'Bruno',
    last_name: 'Silva',
    addresses: [
      {
        name: 'Bruno Silva',
        line1: 'Rua Augusta 120',
        city: 'Lisboa',
        postal_code: '1100-053',
        country: 'PT',
        phone: '+351 912 345 678',
      },
    ],
  },
  {
    username: 'carla.demo',
    email: 'carla.demo@example.com',
    password: 'quiet-meadow-tortoise-84',
    first_name: 'Carla',
    last_name: 'Romero',
    addresses: [
      {
        name: 'Carla Romero',
        line1: 'Av. Corrientes 1234',
        line2: 'Piso 5, Depto B',
        city: 'Buenos Aires',
        postal_code: 'C1043AAZ',
        region: 'CABA',
        country: 'AR',
      },
    ],
  },
  {
    username: 'diego.demo',
    email: 'diego.demo@example.com',
    password: 'amber-kestrel-orchard-15',
    first_name: 'Diego',
    last_name: 'Navarro',
    addresses: [
      {
        name: 'Diego Navarro',
        line1: 'Paseo de Gracia 88',
        city: 'Barcelona',
        postal_code: '08008',
        region: 'Barcelona',
        country: 'ES',
      },
    ],
  },
];

/** Where an order is taken after its reservation: each step is who moves it and how. */
export type DemoTarget =
  | 'confirmed'
  | 'paid'
  | 'shipped'
  | 'delivered'
  | 'cancelled'
  | 'staff-cancelled'
  | 'rejected';

export interface DemoLine {
  product: string;
  quantity: number;
}

export interface DemoOrder {
  customer: string;
  /** `checkout`: through the cart (202, then the order from `cart.checked_out`); `order`: POST /api/orders. */
  via: 'checkout' | 'order';
  /** A product name of the catalog; `rejected` orders take a product out of stock instead. */
  lines: DemoLine[];
  target: DemoTarget;
}

/** Every status an order can end in; `pending` is where each of them starts (see README.md). */
export const DEMO_ORDERS: DemoOrder[] = [
  {
    customer: 'ana.demo',
    via: 'checkout',
    lines: [
      { product: 'KONG Classic Large', quantity: 1 },
      { product: 'Greenies Dental Treats Regular (12 pack)', quantity: 2 },
    ],
    target: 'delivered',
  },
  {
    customer: 'ana.demo',
    via: 'order',
    lines: [{ product: 'Da Bird Feather Wand', quantity: 1 }],
    target: 'confirmed',
  },
  {
    customer: 'bruno.demo',
    via: 'checkout',
    lines: [{ product: 'Purina ONE Indoor Salmon 3 kg', quantity: 1 }],
    target: 'shipped',
  },
  {
    customer: 'bruno.demo',
    via: 'order',
    lines: [{ product: 'Catsan Hygiene Plus 10 L', quantity: 2 }],
    target: 'cancelled',
  },
  {
    customer: 'carla.demo',
    via: 'checkout',
    lines: [{ product: 'TetraMin Tropical Flakes 200 g', quantity: 1 }],
    target: 'paid',
  },
  {
    customer: 'carla.demo',
    via: 'order',
    lines: [{ product: 'Braided Cotton Rope Tug 60 cm', quantity: 1 }],
    target: 'rejected',
  },
  {
    customer: 'diego.demo',
    via: 'checkout',
    lines: [
      { product: 'Oxbow Western Timothy Hay 1.1 kg', quantity: 1 },
      { product: 'Carefresh Natural Paper Bedding 30 L', quantity: 1 },
    ],
    target: 'delivered',
  },
  {
    customer: 'diego.demo',
    via: 'order',
    lines: [{ product: 'Millet Sprays (10 pack)', quantity: 1 }],
    target: 'staff-cancelled',
  },
];

/** What each customer leaves in the cart, after the orders. */
export const DEMO_CARTS: Record<string, DemoLine[]> = {
  'ana.demo': [
    { product: 'Chuckit! Ultra Ball Medium (2 pack)', quantity: 2 },
    { product: 'Calming Donut Bed Medium', quantity: 1 },
  ],
  'bruno.demo': [{ product: 'Applaws Tuna Fillet in Broth (12 × 70 g)', quantity: 1 }],
  'carla.demo': [
    { product: 'Hikari Sinking Wafers 110 g', quantity: 1 },
    { product: 'Frozen Bloodworms Blister Pack 100 g', quantity: 3 },
  ],
  'diego.demo': [{ product: 'Versele-Laga Prestige Budgies 1 kg', quantity: 2 }],
};

export interface DemoReview {
  customer: string;
  product: string;
  rating: number;
  title: string;
  comment: string;
}

export const DEMO_REVIEWS: DemoReview[] = [
  {
    customer: 'ana.demo',
    product: 'KONG Classic Large',
    rating: 5,
    title: 'Survived our terrier',
    comment: 'Three months of daily chewing and not a dent. Freeze it with peanut butter inside.',
  },
  {
    customer: 'ana.demo',
    product: 'Chuckit! Ultra Ball Medium (2 pack)',
    rating: 4,
    title: 'Floats, bounces, gets lost',
    comment: 'Great bounce and easy to spot in the grass; we lost one in the lake anyway.',
  },
  {
    customer: 'bruno.demo',
    product: 'Purina ONE Indoor Salmon 3 kg',
    rating: 4,
    title: 'Fewer hairballs',
    comment: 'Our indoor cat likes it and the hairballs are rarer. The bag could be resealable.',
  },
  {
    customer: 'carla.demo',
    product: 'TetraMin Tropical Flakes 200 g',
    rating: 3,
    title: 'Does the job',
    comment: 'The fish eat it; the water clouds a little if you overfeed.',
  },
  {
    customer: 'diego.demo',
    product: 'Oxbow Western Timothy Hay 1.1 kg',
    rating: 5,
    title: 'Green and fragrant',
    comment: 'Long strands, little dust. Both rabbits dive into it.',
  },
];
