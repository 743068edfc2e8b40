import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PolettError } from '../errors.js';

/** The key file's name in the data folder, used when POLETT_SECRET_KEY is not set. */
export const SECRET_KEY_FILE_NAME = 'secret.key';

/**
 * Encrypts secrets (provider API keys) with AES-256-GCM so that they never sit in plain text in the
 * database. The key comes from POLETT_SECRET_KEY (32 bytes, base64) or a key file created once in
 * the data folder, readable by its owner alone.
 */
export class SecretBox {
  private constructor(private readonly key: Buffer) {}

  static fromEnvironmentOrDataDir(dataDir: string, env: NodeJS.ProcessEnv = process.env): SecretBox {
    const fromEnvironment = env.POLETT_SECRET_KEY;
    if (fromEnvironment) return new SecretBox(decodeKey(fromEnvironment, 'POLETT_SECRET_KEY'));
    const keyPath = path.join(dataDir, SECRET_KEY_FILE_NAME);
    if (!existsSync(keyPath)) {
      try {
        writeFileSync(keyPath, randomBytes(32).toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
      } catch (error) {
        // A CLI command and the server starting together: the other one wrote it first; use theirs.
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
    }
    chmodSync(keyPath, 0o600);
    return new SecretBox(decodeKey(readFileSync(keyPath, 'utf8').trim(), keyPath));
  }

  /**
   * A key for one purpose (signing visitor tokens, say), derived from the installation's secret
   * key with HKDF: no second key file to keep, and each purpose's key independent of the others.
   */
  deriveKey(purpose: string): Buffer {
    return Buffer.from(hkdfSync('sha256', this.key, Buffer.alloc(0), `polett:${purpose}`, 32));
  }

  encrypt(plaintext: string): Buffer {
    const nonce = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, nonce);
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    // Layout: version byte, 12-byte nonce, 16-byte tag, ciphertext.
    return Buffer.concat([Buffer.from([1]), nonce, cipher.getAuthTag(), body]);
  }

  decrypt(sealed: Buffer, name: string): string {
    try {
      if (sealed[0] !== 1) throw new Error('unknown format version');
      const decipher = createDecipheriv('aes-256-gcm', this.key, sealed.subarray(1, 13));
      decipher.setAuthTag(sealed.subarray(13, 29));
      return Buffer.concat([decipher.update(sealed.subarray(29)), decipher.final()]).toString('utf8');
    } catch (error) {
      throw new PolettError({
        code: 'secret_unreadable',
        status: 500,
        retryable: false,
        field: name,
        message: {
          sv: `Hemligheten "${name}" kan inte dekrypteras med nuvarande nyckel; återställ den tidigare secret.key eller POLETT_SECRET_KEY, eller spara hemligheten på nytt.`,
          en: `The secret "${name}" cannot be decrypted with the current key; restore the previous secret.key or POLETT_SECRET_KEY, or store the secret again.`,
        },
        cause: error,
      });
    }
  }
}

function decodeKey(encoded: string, origin: string): Buffer {
  const key = Buffer.from(encoded, 'base64');
  if (key.length !== 32) {
    throw new PolettError({
      code: 'config_invalid',
      status: 400,
      field: origin,
      message: {
        sv: `Krypteringsnyckeln i ${origin} ska vara 32 byte i base64 (till exempel från \`openssl rand -base64 32\`), men är ${key.length} byte.`,
        en: `The encryption key in ${origin} must be 32 bytes in base64 (for example from \`openssl rand -base64 32\`), but it is ${key.length} bytes.`,
      },
    });
  }
  return key;
}
