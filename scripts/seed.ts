/**
 * Loads a pet catalog through the catalog modules' services, so that every row comes with its
 * events and every read model (category `product_count`, the products module's categories, the
 * cart's copies …) ends consistent once they are delivered.
 *
 *   npm run seed                       the category tree and a few dozen real-looking products
 *   npm run seed -- --products 100000  as above when the catalog is empty, then 100,000 generated
 *                                      products in batches (benchmarks)
 *   --no-wait                          exit once the rows and their events are written; the events
 *                                      are then delivered by the next process that starts the app
 *
 * Without --no-wait the seed waits until every consumer (every module's read model) has taken the
 * catalog's events, so the database is consistent when it exits.
 * The database is the configured one (`DATABASE_URL`, else PGlite under `DATA_DIR`).
 */
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { sql } from 'drizzle-orm';
import { buildApp } from '../src/app.js';
import { CategoriesService, type CategoryNode } from '../src/modules/categories/categories.service.js';
import type { AnimalType } from '../src/modules/products/animal-type.js';
import { type ProductInput, ProductsService } from '../src/modules/products/products.service.js';
import { loadConfig } from '../src/platform/config.js';
import { DataDirInUseError } from '../src/platform/db/data-dir-lock.js';
import { queryRows } from '../src/platform/db/database.js';
import { MemoryEventBus } from '../src/platform/events/memory-bus.js';
import { parseCents } from '../src/platform/money.js';

const BATCH_SIZE = 2_000;

interface LeafCategory {
  name: string;
  description: string;
  animal: AnimalType;
  /** Generated names: `<brand> <variant> <item>`. */
  items: string[];
  variants: string[];
  priceRange: [number, number];
}

interface TopCategory {
  name: string;
  description: string;
  leaves: LeafCategory[];
}

const TAXONOMY: TopCategory[] = [
  {
    name: 'Dogs',
    description: 'Food, toys and beds for dogs of every size',
    leaves: [
      {
        name: 'Dog Food',
        description: 'Dry food, wet food and treats',
        animal: 'dog',
        items: ['Dry Food', 'Wet Food', 'Puppy Kibble', 'Senior Formula', 'Training Treats', 'Dental Chews'],
        variants: ['Chicken & Rice', 'Salmon', 'Lamb', 'Grain-Free', 'Beef', 'Turkey & Sweet Potato'],
        priceRange: [299, 8999],
      },
      {
        name: 'Dog Toys',
        description: 'Chew toys, balls and ropes',
        animal: 'dog',
        items: ['Rope Tug', 'Squeaky Ball', 'Chew Bone', 'Frisbee', 'Puzzle Feeder', 'Plush Toy'],
        variants: ['Small', 'Medium', 'Large', 'Extra Tough', 'Glow'],
        priceRange: [399, 2999],
      },
      {
        name: 'Dog Beds',
        description: 'Orthopaedic, donut and travel beds',
        animal: 'dog',
        items: ['Orthopaedic Bed', 'Donut Bed', 'Travel Mat', 'Crate Pad', 'Raised Cot'],
        variants: ['S', 'M', 'L', 'XL', 'Waterproof'],
        priceRange: [1999, 14999],
      },
    ],
  },
  {
    name: 'Cats',
    description: 'Everything for cats and kittens',
    leaves: [
      {
        name: 'Cat Food',
        description: 'Dry and wet food for cats and kittens',
        animal: 'cat',
        items: ['Dry Food', 'Wet Pouches', 'Kitten Food', 'Hairball Formula', 'Crunchy Treats'],
        variants: ['Tuna', 'Chicken', 'Salmon', 'Indoor', 'Sterilised'],
        priceRange: [199, 5999],
      },
      {
        name: 'Cat Litter',
        description: 'Clumping, silica and natural litters',
        animal: 'cat',
        items: ['Clumping Litter', 'Silica Crystals', 'Pine Pellets', 'Corn Litter', 'Litter Tray'],
        variants: ['5 L', '10 L', '20 L', 'Unscented', 'Lavender'],
        priceRange: [499, 3999],
      },
      {
        name: 'Cat Toys',
        description: 'Wands, tunnels and scratchers',
        animal: 'cat',
        items: ['Feather Wand', 'Catnip Mouse', 'Play Tunnel', 'Scratching Post', 'Laser Pointer'],
        variants: ['Classic', 'Deluxe', 'Mini', 'XL', 'Refill Pack'],
        priceRange: [249, 7999],
      },
    ],
  },
  {
    name: 'Fish',
    description: 'Aquariums, equipment and food',
    leaves: [
      {
        name: 'Aquariums',
        description: 'Tanks, filters and heaters',
        animal: 'fish',
        items: ['Aquarium Kit', 'Nano Tank', 'Canister Filter', 'Heater', 'LED Light'],
        variants: ['20 L', '60 L', '120 L', '200 L', 'Starter'],
        priceRange: [1499, 49999],
      },
      {
        name: 'Fish Food',
        description: 'Flakes, pellets and frozen food',
        animal: 'fish',
        items: ['Tropical Flakes', 'Goldfish Pellets', 'Bottom Feeder Wafers', 'Bloodworms', 'Spirulina'],
        variants: ['50 g', '100 g', '250 g', 'Colour Enhancing', 'Vacation'],
        priceRange: [249, 2499],
      },
    ],
  },
  {
    name: 'Birds',
    description: 'Cages, seed and accessories',
    leaves: [
      {
        name: 'Bird Cages',
        description: 'Cages and aviaries for small and large birds',
        animal: 'bird',
        items: ['Flight Cage', 'Parrot Cage', 'Travel Carrier', 'Perch Set', 'Bird Bath'],
        variants: ['Small', 'Medium', 'Large', 'Deluxe', 'Stainless'],
        priceRange: [999, 29999],
      },
      {
        name: 'Bird Seed',
        description: 'Seed mixes and treats',
        animal: 'bird',
        items: ['Budgie Mix', 'Canary Seed', 'Parrot Mix', 'Millet Sprays', 'Seed Bells'],
        variants: ['500 g', '1 kg', '2.5 kg', 'Premium', 'Fruit'],
        priceRange: [199, 2999],
      },
    ],
  },
  {
    name: 'Small Pets',
    description: 'Rabbits, guinea pigs, hamsters and friends',
    leaves: [
      {
        name: 'Hutches',
        description: 'Hutches, runs and cages',
        animal: 'small_pet',
        items: ['Rabbit Hutch', 'Guinea Pig Cage', 'Hamster Habitat', 'Outdoor Run', 'Play Pen'],
        variants: ['Compact', 'Two-Storey', 'Large', 'Weatherproof', 'Indoor'],
        priceRange: [2499, 24999],
      },
      {
        name: 'Small Pet Bedding',
        description: 'Bedding, hay and nesting material',
        animal: 'small_pet',
        items: ['Paper Bedding', 'Wood Shavings', 'Timothy Hay', 'Nesting Material', 'Fleece Liner'],
        variants: ['10 L', '30 L', '1 kg', 'Dust-Free', 'Scented'],
        priceRange: [299, 2999],
      },
    ],
  },
];

interface CatalogProduct {
  name: string;
  description: string;
  price: string;
  stock: number;
  specifications: Record<string, unknown>;
}

/** The hand-written catalog, by leaf category. */
const PRODUCTS: Record<string, CatalogProduct[]> = {
  'Dog Food': [
    {
      name: 'Acana Adult Dog Recipe 11.4 kg',
      description: 'Free-run chicken and whole eggs with wholesome grains for active adult dogs.',
      price: '79.99',
      stock: 24,
      specifications: { weight_kg: 11.4, protein_percent: 29, life_stage: 'adult', grain_free: false },
    },
    {
      name: 'Royal Canin Medium Puppy 4 kg',
      description: 'Complete food for medium-breed puppies from 2 to 12 months.',
      price: '32.50',
      stock: 40,
      specifications: { weight_kg: 4, life_stage: 'puppy', breed_size: 'medium' },
    },
    {
      name: "Hill's Science Plan Senior Lamb 2.5 kg",
      description: 'Lamb and rice recipe supporting joints and kidneys of dogs aged 7+.',
      price: '24.99',
      stock: 18,
      specifications: { weight_kg: 2.5, life_stage: 'senior', flavour: 'lamb' },
    },
    {
      name: 'Greenies Dental Treats Regular (12 pack)',
      description: 'Chewy dental treats that clean teeth and freshen breath.',
      price: '14.99',
      stock: 60,
      specifications: { count: 12, dog_weight_kg: '11-22' },
    },
  ],
  'Dog Toys': [
    {
      name: 'KONG Classic Large',
      description: 'The natural-rubber chew toy to stuff with treats. Bounces unpredictably.',
      price: '13.99',
      stock: 35,
      specifications: { size: 'L', material: 'natural rubber', dishwasher_safe: true },
    },
    {
      name: 'Chuckit! Ultra Ball Medium (2 pack)',
      description: 'High-bounce, floating rubber balls for fetch on land and water.',
      price: '8.49',
      stock: 80,
      specifications: { diameter_cm: 6.4, count: 2, floats: true },
    },
    {
      name: 'Braided Cotton Rope Tug 60 cm',
      description: 'Three-knot cotton rope for tug-of-war and gentle flossing.',
      price: '7.95',
      stock: 0,
      specifications: { length_cm: 60, material: 'cotton' },
    },
  ],
  'Dog Beds': [
    {
      name: 'Elevated Cooling Dog Cot Large',
      description: 'Breathable mesh cot on a steel frame, keeps dogs cool and off the floor.',
      price: '45.00',
      stock: 11,
      specifications: { size: 'L', max_load_kg: 68, indoor_outdoor: true },
    },
    {
      name: 'Orthopaedic Memory Foam Dog Bed XL',
      description: 'Memory-foam base with a washable, water-resistant cover for large dogs.',
      price: '119.00',
      stock: 6,
      specifications: { size: 'XL', length_cm: 112, washable_cover: true },
    },
    {
      name: 'Calming Donut Bed Medium',
      description: 'Faux-fur donut bed with raised rim for dogs that like to curl up.',
      price: '39.90',
      stock: 14,
      specifications: { size: 'M', diameter_cm: 76, colour: 'taupe' },
    },
  ],
  'Cat Food': [
    {
      name: 'Purina ONE Indoor Salmon 3 kg',
      description: 'Dry food for indoor cats with salmon and whole grains, helps control hairballs.',
      price: '21.49',
      stock: 30,
      specifications: { weight_kg: 3, flavour: 'salmon', indoor: true },
    },
    {
      name: 'Applaws Tuna Fillet in Broth (12 × 70 g)',
      description: 'Natural wet food: whole tuna fillet in broth, no additives.',
      price: '16.80',
      stock: 45,
      specifications: { count: 12, can_g: 70, flavour: 'tuna' },
    },
    {
      name: 'Royal Canin Kitten 2 kg',
      description: 'Complete food for kittens up to 12 months, supports natural defences.',
      price: '23.99',
      stock: 22,
      specifications: { weight_kg: 2, life_stage: 'kitten' },
    },
  ],
  'Cat Litter': [
    {
      name: 'World’s Best Cat Litter Multi-Cat 12.7 kg',
      description: 'Clumping whole-kernel corn litter, flushable and lightweight.',
      price: '34.49',
      stock: 7,
      specifications: { weight_kg: 12.7, type: 'corn', flushable: true },
    },
    {
      name: "Dr. Elsey's Ultra Clumping Litter 18 kg",
      description: 'Unscented, low-dust clay litter that forms hard clumps.',
      price: '29.99',
      stock: 12,
      specifications: { weight_kg: 18, scented: false, type: 'clay' },
    },
    {
      name: 'Catsan Hygiene Plus 10 L',
      description: 'Non-clumping white granules with odour control.',
      price: '9.99',
      stock: 50,
      specifications: { volume_l: 10, type: 'mineral' },
    },
  ],
  'Cat Toys': [
    {
      name: 'Da Bird Feather Wand',
      description: 'The classic teaser wand whose feathers spin like a bird in flight.',
      price: '12.99',
      stock: 27,
      specifications: { length_cm: 91, refills_included: 1 },
    },
    {
      name: 'Sisal Scratching Post 80 cm',
      description: 'Stable sisal post with plush platform and dangling toy.',
      price: '34.95',
      stock: 9,
      specifications: { height_cm: 80, base_cm: 40 },
    },
    {
      name: 'Yeowww! Catnip Banana',
      description: 'Organic catnip stuffed in a cotton banana. Cats go bananas.',
      price: '6.50',
      stock: 0,
      specifications: { organic: true, length_cm: 18 },
    },
  ],
  Aquariums: [
    {
      name: 'Hydor Koralia Circulation Pump 3,000 L/h',
      description: 'Magnetic-mount pump that creates natural water movement in reef tanks.',
      price: '42.00',
      stock: 0,
      specifications: { flow_l_per_h: 3000, power_w: 4.5 },
    },
    {
      name: 'Fluval Flex 57 L Aquarium Kit',
      description: 'Curved-front aquarium with 3-stage filtration and remote-controlled LED.',
      price: '169.99',
      stock: 4,
      specifications: { volume_l: 57, led: true, filter: '3-stage' },
    },
    {
      name: 'Eheim Jäger Heater 100 W',
      description: 'Precise thermostatic heater with thermo-safety control.',
      price: '27.90',
      stock: 15,
      specifications: { power_w: 100, tank_l: '90-150' },
    },
  ],
  'Fish Food': [
    {
      name: 'Frozen Bloodworms Blister Pack 100 g',
      description: 'Gamma-irradiated bloodworm cubes, a protein treat for carnivorous fish.',
      price: '4.25',
      stock: 19,
      specifications: { weight_g: 100, cubes: 40, frozen: true },
    },
    {
      name: 'TetraMin Tropical Flakes 200 g',
      description: 'Staple flake food for all tropical fish, clean and clear water formula.',
      price: '11.49',
      stock: 70,
      specifications: { weight_g: 200, type: 'flakes' },
    },
    {
      name: 'Hikari Sinking Wafers 110 g',
      description: 'Sinking wafers for plecos, catfish and other bottom feeders.',
      price: '8.99',
      stock: 33,
      specifications: { weight_g: 110, type: 'wafers', sinking: true },
    },
  ],
  'Bird Cages': [
    {
      name: 'Zoo-Max Parrot Play Stand',
      description: 'Tabletop play stand with ladder, perches and two stainless cups.',
      price: '64.95',
      stock: 2,
      specifications: { height_cm: 55, cups: 2 },
    },
    {
      name: 'Vision Bird Cage Medium',
      description: 'Easy-clean cage for budgies and finches with deep seed-catching base.',
      price: '89.00',
      stock: 5,
      specifications: { height_cm: 67, bar_spacing_mm: 12 },
    },
    {
      name: 'Natural Wood Perch Set (3 pack)',
      description: 'Varied-diameter manzanita perches for healthy feet.',
      price: '12.75',
      stock: 25,
      specifications: { count: 3, material: 'manzanita' },
    },
  ],
  'Bird Seed': [
    {
      name: 'Versele-Laga Prestige Budgies 1 kg',
      description: 'Balanced seed mix for budgerigars with added vitamins.',
      price: '5.49',
      stock: 90,
      specifications: { weight_kg: 1, species: 'budgie' },
    },
    {
      name: 'Millet Sprays (10 pack)',
      description: 'Natural golden millet on the stem, a favourite treat for small birds.',
      price: '6.99',
      stock: 40,
      specifications: { count: 10 },
    },
  ],
  Hutches: [
    {
      name: 'Guinea Pig Indoor Cage 120 cm',
      description: 'Deep plastic base with a wire top that opens fully, hay rack included.',
      price: '79.99',
      stock: 6,
      specifications: { length_cm: 120, hay_rack: true },
    },
    {
      name: 'Two-Storey Wooden Rabbit Hutch',
      description: 'Fir-wood hutch with ramp, run and weatherproof felt roof.',
      price: '149.99',
      stock: 3,
      specifications: { width_cm: 150, storeys: 2, outdoor: true },
    },
    {
      name: 'Ferplast Hamster Habitat Duna',
      description: 'Deep-base plastic habitat with wheel, house and water bottle.',
      price: '54.90',
      stock: 8,
      specifications: { width_cm: 55, includes_wheel: true },
    },
  ],
  'Small Pet Bedding': [
    {
      name: 'Aspen Wood Shavings 56 L',
      description: 'Kiln-dried aspen shavings, aromatic-oil free and low dust.',
      price: '12.99',
      stock: 0,
      specifications: { volume_l: 56, wood: 'aspen' },
    },
    {
      name: 'Carefresh Natural Paper Bedding 30 L',
      description: 'Soft, absorbent, 99% dust-free paper bedding.',
      price: '18.99',
      stock: 28,
      specifications: { volume_l: 30, dust_free: true },
    },
    {
      name: 'Oxbow Western Timothy Hay 1.1 kg',
      description: 'High-fibre timothy hay for rabbits, guinea pigs and chinchillas.',
      price: '15.49',
      stock: 36,
      specifications: { weight_kg: 1.1, cut: 'first' },
    },
  ],
};

const BRANDS = ['Pawsome', 'Whisker & Co', 'Tailwind', 'FurFirst', 'Happy Hound', 'AquaPure', 'Featherly'];

/** A small deterministic generator, so that two runs make the same catalog. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = Math.imul(state ^ (state >>> 15), 1 | state);
    value ^= value + Math.imul(value ^ (value >>> 7), 61 | value);
    return ((value ^ (value >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function generatedProduct(leaf: LeafCategory, categoryId: number, index: number, next: () => number) {
  const pick = <T>(list: readonly T[]) => list[Math.floor(next() * list.length)]!;
  const brand = pick(BRANDS);
  const [low, high] = leaf.priceRange;
  return {
    name: `${brand} ${pick(leaf.variants)} ${pick(leaf.items)} #${index}`,
    description: `${leaf.description}. Made by ${brand}.`,
    priceCents: low + Math.floor(next() * (high - low)),
    categoryId,
    animalType: leaf.animal,
    stock: next() < 0.1 ? 0 : Math.floor(next() * 200),
    specifications: { brand, sku: `GEN-${String(index).padStart(7, '0')}` },
  } satisfies ProductInput;
}

const { values: options } = parseArgs({
  options: { products: { type: 'string' }, 'no-wait': { type: 'boolean' } },
});
const generated = Number(options.products ?? 0);
if (!Number.isSafeInteger(generated) || generated < 0) {
  console.error('usage: npm run seed [-- --products <count>]');
  process.exit(2);
}

// Batches travel faster with a bigger relay batch and more handlers in flight; the environment wins.
const config = loadConfig({
  OUTBOX_BATCH_SIZE: '1000',
  EVENT_PREFETCH: '50',
  DATABASE_POOL_SIZE: '20',
  LOG_LEVEL: 'error',
  ...process.env,
  MODULES: 'all',
});
let app: Awaited<ReturnType<typeof buildApp>>;
try {
  app = await buildApp({ config });
} catch (error) {
  // The embedded database is held by a running server (or another seed): say so and touch nothing.
  if (!(error instanceof DataDirInUseError)) throw error;
  console.error(`npm run seed: ${error.message}`);
  process.exit(1);
}
await app.ready();
const { database, events } = app.platform;
const categories = new CategoriesService(database);
const products = new ProductsService(database);

async function unpublishedEvents(): Promise<number> {
  const [row] = await queryRows<{ n: number }>(
    database.db,
    sql`select count(*)::int as n from platform.outbox
        where published_at is null and exchange in ('category_events', 'product_events')`,
  );
  return row?.n ?? 0;
}

/** Waits until every catalog event written so far has been delivered to its consumers. */
async function deliverEvents(label: string): Promise<void> {
  let remaining = await unpublishedEvents();
  if (remaining === 0) return;
  const bar = new cliProgress.SingleBar(
    { format: `${label.padEnd(18)} |{bar}| {value}/{total} events | {duration}s` },
    cliProgress.Presets.shades_classic,
  );
  const total = remaining;
  bar.start(total, 0);
  while (remaining > 0) {
    events.relay.wake();
    await new Promise((resolve) => setTimeout(resolve, 200));
    remaining = await unpublishedEvents();
    bar.update(Math.max(0, total - remaining));
  }
  if (events.bus instanceof MemoryEventBus) await events.bus.idle();
  bar.stop();
}

/** Waits until the products module has heard of every category (it files products under them). */
async function awaitCategories(ids: number[]): Promise<void> {
  for (let attempt = 0; attempt < 600; attempt++) {
    const known = new Set(await products.knownCategoryIds());
    if (ids.every((id) => known.has(id))) return;
    events.relay.wake();
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the products module did not hear of the categories in time');
}

async function seedCatalog(): Promise<Map<string, number>> {
  const ids = new Map<string, number>();
  for (const top of TAXONOMY) {
    const parent = await categories.create({ name: top.name, description: top.description });
    ids.set(top.name, parent.id);
    for (const leaf of top.leaves) {
      const child = await categories.create({
        name: leaf.name,
        description: leaf.description,
        parentId: parent.id,
      });
      ids.set(leaf.name, child.id);
    }
  }
  await awaitCategories([...ids.values()]);
  let count = 0;
  for (const top of TAXONOMY) {
    for (const leaf of top.leaves) {
      for (const product of PRODUCTS[leaf.name] ?? []) {
        await products.create({
          ...product,
          priceCents: parseCents(product.price)!,
          categoryId: ids.get(leaf.name)!,
          animalType: leaf.animal,
        });
        count++;
      }
    }
  }
  console.log(`catalog: ${ids.size} categories, ${count} products`);
  return ids;
}

function leavesOf(tree: CategoryNode[]): CategoryNode[] {
  return tree.flatMap((node) => (node.children.length === 0 ? [node] : leavesOf(node.children)));
}

async function generateProducts(count: number): Promise<void> {
  const leaves = leavesOf(await categories.tree());
  await awaitCategories(leaves.map((leaf) => leaf.id));
  const known = new Map(TAXONOMY.flatMap((top) => top.leaves).map((leaf) => [leaf.name, leaf]));
  const fallback = TAXONOMY[0]!.leaves[0]!;
  const next = random(42);
  const bar = new cliProgress.SingleBar(
    { format: `${'products'.padEnd(18)} |{bar}| {value}/{total} | {duration}s` },
    cliProgress.Presets.shades_classic,
  );
  bar.start(count, 0);
  for (let done = 0; done < count; ) {
    const batch = Array.from({ length: Math.min(BATCH_SIZE, count - done) }, (_, offset) => {
      const leaf = leaves[Math.floor(next() * leaves.length)]!;
      return generatedProduct(known.get(leaf.name) ?? fallback, leaf.id, done + offset + 1, next);
    });
    done += await products.importMany(batch);
    bar.update(done);
  }
  bar.stop();
}

const seconds = (since: number) => `${((Date.now() - since) / 1000).toFixed(1)} s`;
try {
  const started = Date.now();
  const empty = (await categories.list(undefined, { page: 1, limit: 1, offset: 0 })).count === 0;
  if (empty) await seedCatalog();
  else if (generated === 0) console.log('catalog: categories exist already; nothing to add');
  if (generated > 0) {
    // Delivery waits while the batches are written, so that both do not fight for the same CPU.
    await deliverEvents('delivering events');
    await events.relay.pause();
    await generateProducts(generated);
    if (!options['no-wait']) events.relay.start();
  }
  console.log(`written in ${seconds(started)}`);
  if (options['no-wait']) {
    console.log(`${await unpublishedEvents()} events left for the next start of the app to deliver`);
  } else {
    const delivering = Date.now();
    await deliverEvents('delivering events');
    console.log(`events delivered in ${seconds(delivering)}`);
  }
} finally {
  await app.close();
}
