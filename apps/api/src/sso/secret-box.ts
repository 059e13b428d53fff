// SSO client secrets at rest: AES-256-GCM under a key derived (HKDF-SHA256) from the operator's
// secret, which lives in the API's environment and never in the database, so a dump of the
// database does not reveal them. Changing OPERATOR_TOKEN means entering the client secrets again.
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

const IV_BYTES = 12;
const TAG_BYTES = 16;

export class SecretBox {
  readonly #key: Buffer;

  constructor(operatorToken: string) {
    this.#key = Buffer.from(hkdfSync('sha256', operatorToken, 'spendgraph', 'sso client secrets v1', 32));
  }

  /** iv ‖ tag ‖ ciphertext */
  seal(secret: string): Buffer {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    const sealed = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), sealed]);
  }

  /** The secret, or undefined when it was sealed under another key (the operator token changed). */
  open(box: Buffer): string | undefined {
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.#key, box.subarray(0, IV_BYTES));
      decipher.setAuthTag(box.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
      return Buffer.concat([decipher.update(box.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
    } catch {
      return undefined;
    }
  }
}
