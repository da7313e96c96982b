// The only place storage keys are built. Keys are made of ids we generated, never of user text.
const SAFE = /^[A-Za-z0-9_-]{1,64}$/;

function part(value: string, what: string): string {
  if (!SAFE.test(value)) throw new Error(`unsafe ${what} for a storage key`);
  return value;
}

export const storageKeys = {
  /** The original bytes of an image. */
  imageOriginal: (userId: string, imageId: string) => `images/${part(userId, 'user id')}/${part(imageId, 'image id')}/original`,
  /** A rendered variant, named by a hash of its canonical parameters. */
  imageVariant: (userId: string, imageId: string, variantHash: string) =>
    `images/${part(userId, 'user id')}/${part(imageId, 'image id')}/variants/${part(variantHash, 'variant hash')}`,
  /** Every object of one image (original and variants). */
  imagePrefix: (userId: string, imageId: string) => `images/${part(userId, 'user id')}/${part(imageId, 'image id')}/`,
  /** Where an upload lands while it streams, before it is committed. */
  uploadTemp: (uploadId: string) => `tmp/uploads/${part(uploadId, 'upload id')}`,
  /** Every object of one account. */
  userPrefix: (userId: string) => `images/${part(userId, 'user id')}/`,
};
