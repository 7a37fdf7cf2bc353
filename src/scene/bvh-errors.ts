// Bad input to the BVH builders (kept apart so bvh.ts and bvh-wide.ts can both throw it without a cycle).
export class BvhInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BvhInputError';
  }
}
