// Passwords: argon2id (OWASP parameters), verified in constant time by the library.
import { hash, verify } from '@node-rs/argon2';

// @node-rs/argon2 defaults to Argon2id; these are OWASP's minimum parameters.
const OPTIONS = { memoryCost: 19_456, timeCost: 2, parallelism: 1 };

export const hashPassword = (password: string): Promise<string> => hash(password, OPTIONS);

export async function verifyPassword(stored: string, password: string): Promise<boolean> {
  try {
    return await verify(stored, password);
  } catch {
    return false;
  }
}

/** A hash of a random string: verified against when the account is unknown, so timing does not tell. */
let dummy: Promise<string> | undefined;
export const dummyHash = (): Promise<string> => (dummy ??= hashPassword('dummy-password-for-timing-1'));

/** CONTRACT §3: 8–64 chars, at least one letter and one digit. Returns the problem or undefined. */
export function passwordProblem(password: string): string | undefined {
  if (password.length < 8 || password.length > 64) return 'must be 8 to 64 characters';
  if (!/\p{L}/u.test(password)) return 'must contain at least one letter';
  if (!/\p{Nd}/u.test(password)) return 'must contain at least one digit';
  return undefined;
}
