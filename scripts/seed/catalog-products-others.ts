import type { CatalogProduct } from './catalog-products-dogs-cats.js';

/** The hand-written catalog for fish, birds and small pets, by leaf category. */
export const OTHER_PRODUCTS: Record<string, CatalogProduct[]> = {
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
