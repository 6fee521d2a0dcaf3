import type { AnimalType } from '../../src/modules/products/animal-type.js';

/** A leaf of the taxonomy: where products are filed, and how generated ones are named and priced. */
export interface LeafCategory {
  name: string;
  description: string;
  animal: AnimalType;
  /** Generated names: `<brand> <variant> <item>`. */
  items: string[];
  variants: string[];
  priceRange: [number, number];
}

export interface TopCategory {
  name: string;
  description: string;
  leaves: LeafCategory[];
}

export const BRANDS = [
  'Pawsome',
  'Whisker & Co',
  'Tailwind',
  'FurFirst',
  'Happy Hound',
  'AquaPure',
  'Featherly',
];

export const TAXONOMY: TopCategory[] = [
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
