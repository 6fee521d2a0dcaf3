/** A hand-written product of the catalog, as the API takes it (price as a two-decimal string). */
export interface CatalogProduct {
  name: string;
  description: string;
  price: string;
  stock: number;
  specifications: Record<string, unknown>;
}

/** The hand-written catalog for dogs and cats, by leaf category. */
export const DOG_AND_CAT_PRODUCTS: Record<string, CatalogProduct[]> = {
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
};
