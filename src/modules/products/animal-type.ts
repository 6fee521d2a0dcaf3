export const ANIMAL_TYPES = ['dog', 'cat', 'bird', 'fish', 'small_pet', 'other'] as const;
export type AnimalType = (typeof ANIMAL_TYPES)[number];
