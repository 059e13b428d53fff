// Password hashing: argon2id (the @node-rs/argon2 default, asserted in the tests) with the
// library's parameters (19 MiB, 2 passes: OWASP's minimum for argon2id), stored in PHC form so
// stronger parameters later still verify old hashes.
import { hash, verify } from '@node-rs/argon2';

/** Shorter passwords are refused where they are set (sign-up, reset, invitation). */
export const MIN_PASSWORD_LENGTH = 12;

export class WeakPassword extends Error {
  constructor() {
    super(`a password needs at least ${MIN_PASSWORD_LENGTH} characters`);
  }
}

export async function hashPassword(password: string): Promise<string> {
  if (password.length < MIN_PASSWORD_LENGTH) throw new WeakPassword();
  return hash(password);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  return verify(passwordHash, password).catch(() => false);
}

// Verified against when the e-mail is unknown, so an unknown address takes as long as a wrong password.
let decoy: Promise<string> | undefined;
export async function verifyDecoy(password: string): Promise<false> {
  decoy ??= hash('decoy password, never anyone');
  await verify(await decoy, password).catch(() => false);
  return false;
}
