import { customAlphabet, nanoid } from 'nanoid';

const digits = customAlphabet('0123456789', 6);

/** 11-char nanoid: the id of an image, used directly in its public URL. */
export const newImageId = (): string => nanoid(11);
/** 21-char nanoid: every other resource. */
export const newId = (): string => nanoid(21);
/** A secret random token (refresh tokens, …): 43 url-safe chars, 256 bits. */
export const newSecretToken = (): string => nanoid(43);
/** `sk_live_` + 32 nanoid chars. */
export const newApiKeySecret = (): string => `sk_live_${nanoid(32)}`;
/** A 6-digit verification code. */
export const newNumericCode = (): string => digits();

export const ID_PATTERN = '^[A-Za-z0-9_-]{21}$';
export const IMAGE_ID_PATTERN = '^[A-Za-z0-9_-]{11}$';
