/**
 * Encryption of X credentials at rest (AES-256-GCM under HERALD_SECRET_KEY).
 *
 * Sealed format, five dot-separated parts, the last four base64url without padding:
 *
 *   v1.<keyId>.<nonce>.<tag>.<ciphertext>
 *
 * - `v1`: format version; anything else is refused.
 * - keyId: the first 8 bytes of SHA-256(key), so open() can pick the right key among the current
 *   and previous keys (key rotation) and say clearly when none matches. It reveals nothing usable
 *   about a random 32-byte key.
 * - nonce: 12 random bytes, fresh for every seal.
 * - tag: the 16-byte GCM authentication tag.
 * - ciphertext: the UTF-8 plaintext, encrypted.
 *
 * The additional authenticated data is "v1:" + context (for example "x-account:42"), so a sealed
 * value copied to another row, or relabelled with another version, fails to open. Every part
 * must be canonical base64url of the expected length. open() never returns unauthenticated data
 * and its messages never contain the plaintext, the key or the sealed value.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";
import { z } from "zod";
import { DomainError } from "./errors.ts";

const VERSION = "v1";
const KEY_BYTES = 32;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const KEY_ID_BYTES = 8;
const ALGORITHM = "aes-256-gcm";

const KEY_HINT =
  "HERALD_SECRET_KEY must be 32 bytes encoded as base64; make one with: openssl rand -base64 32";
const RECONNECT_HINT = "Reconnect the X account with /x connect.";

function secretInvalid(message: string, details: Readonly<Record<string, unknown>> = {}): never {
  throw new DomainError("secret_invalid", message, details);
}

/** Decodes HERALD_SECRET_KEY (standard base64 or base64url, padding optional) to 32 bytes. */
export function parseSecretKey(base64: string): Buffer {
  const text = base64.trim();
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(text)) {
    secretInvalid(`${KEY_HINT} (the value is not base64)`);
  }
  const key = Buffer.from(text, "base64");
  if (key.length !== KEY_BYTES) {
    secretInvalid(`${KEY_HINT} (the value decodes to ${key.length} bytes)`);
  }
  return key;
}

function keyIdOf(key: Buffer): string {
  return createHash("sha256").update(key).digest().subarray(0, KEY_ID_BYTES).toString("base64url");
}

/** Decodes one base64url part, refusing non-canonical spellings and unexpected lengths. */
function decodePart(part: string, expectedBytes?: number): Buffer | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(part)) return undefined;
  const bytes = Buffer.from(part, "base64url");
  if (bytes.toString("base64url") !== part) return undefined;
  if (expectedBytes !== undefined && bytes.length !== expectedBytes) return undefined;
  return bytes;
}

function aad(context: string): Buffer {
  return Buffer.from(`${VERSION}:${context}`, "utf8");
}

interface SealedParts {
  keyId: string;
  nonce: Buffer;
  tag: Buffer;
  ciphertext: Buffer;
}

function parseSealed(sealed: string): SealedParts {
  const parts = sealed.split(".");
  if (parts[0] !== VERSION) {
    secretInvalid(
      `This secret is not in a format this version of Herald can read. ${RECONNECT_HINT}`,
    );
  }
  const [, keyId = "", nonceText = "", tagText = "", ciphertextText = ""] = parts;
  const nonce = decodePart(nonceText, NONCE_BYTES);
  const tag = decodePart(tagText, TAG_BYTES);
  const ciphertext = decodePart(ciphertextText);
  if (
    parts.length !== 5 ||
    decodePart(keyId, KEY_ID_BYTES) === undefined ||
    nonce === undefined ||
    tag === undefined ||
    ciphertext === undefined
  ) {
    secretInvalid(`This secret is damaged and cannot be decrypted. ${RECONNECT_HINT}`);
  }
  return { keyId, nonce, tag, ciphertext };
}

export interface SecretBoxKeys {
  /** The key new values are sealed with (HERALD_SECRET_KEY). */
  current: Buffer;
  /** Older keys still accepted by open(), for rotation. */
  previous?: readonly Buffer[];
}

/**
 * Seals and opens short secrets with AES-256-GCM (format at the top of this file). Keys are
 * copied on construction and kept in private fields, so they do not show up in logs or JSON.
 */
export class SecretBox {
  readonly #current: Buffer;
  readonly #currentId: string;
  readonly #keys = new Map<string, Buffer>();

  constructor(keys: SecretBoxKeys) {
    for (const key of [keys.current, ...(keys.previous ?? [])]) {
      if (key.length !== KEY_BYTES) {
        secretInvalid(`${KEY_HINT} (a key has ${key.length} bytes)`);
      }
    }
    this.#current = Buffer.from(keys.current);
    this.#currentId = keyIdOf(this.#current);
    this.#keys.set(this.#currentId, this.#current);
    for (const key of keys.previous ?? []) {
      const id = keyIdOf(key);
      if (!this.#keys.has(id)) this.#keys.set(id, Buffer.from(key));
    }
  }

  /** Encrypts `plaintext`, bound to `context` (e.g. "x-account:42"). */
  seal(plaintext: string, context: string): string {
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv(ALGORITHM, this.#current, nonce, { authTagLength: TAG_BYTES });
    cipher.setAAD(aad(context));
    const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
    const tag = cipher.getAuthTag();
    return [
      VERSION,
      this.#currentId,
      nonce.toString("base64url"),
      tag.toString("base64url"),
      ciphertext.toString("base64url"),
    ].join(".");
  }

  /**
   * Decrypts a value made by seal() with the same context. Throws DomainError "secret_invalid"
   * for an unknown version, an unknown key, a damaged or tampered value, or another context.
   */
  open(sealed: string, context: string): string {
    const { keyId, nonce, tag, ciphertext } = parseSealed(sealed);
    const key = this.#keys.get(keyId);
    if (key === undefined) {
      secretInvalid(
        "This secret was encrypted with a different HERALD_SECRET_KEY. Restore the key it was sealed with, or reconnect the X account with /x connect.",
        { keyId },
      );
    }
    try {
      const decipher = createDecipheriv(ALGORITHM, key, nonce, { authTagLength: TAG_BYTES });
      decipher.setAAD(aad(context));
      decipher.setAuthTag(tag);
      const plaintext = Buffer.concat([decipher.update(ciphertext), decipher.final()]);
      return plaintext.toString("utf8");
    } catch {
      return secretInvalid(
        `This secret was changed or belongs to another record and cannot be decrypted. ${RECONNECT_HINT}`,
      );
    }
  }

  /**
   * True when `sealed` was not sealed with the current key (open() it and seal() it again).
   * Reads only the header; throws DomainError "secret_invalid" when the value is malformed.
   */
  needsRotation(sealed: string): boolean {
    return parseSealed(sealed).keyId !== this.#currentId;
  }
}

const nonEmpty = z.string().min(1);

export const xCredentialsSchema = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("oauth1"),
    appKey: nonEmpty,
    appSecret: nonEmpty,
    accessToken: nonEmpty,
    accessSecret: nonEmpty,
  }),
  z.object({
    kind: z.literal("oauth2"),
    accessToken: nonEmpty,
    refreshToken: nonEmpty.optional(),
    expiresAt: z.iso.datetime({ offset: true }).optional(),
  }),
]);

export type XCredentials = z.infer<typeof xCredentialsSchema>;

/** Names the fields that failed, never their values. */
function describeIssues(error: z.ZodError): string {
  const fields = error.issues.map((issue) =>
    issue.path.length === 0 ? "the whole value" : issue.path.map(String).join("."),
  );
  return [...new Set(fields)].join(", ");
}

/** Validates X credentials and seals them as JSON, bound to `context`. */
export function sealCredentials(
  box: SecretBox,
  credentials: XCredentials,
  context: string,
): string {
  const parsed = xCredentialsSchema.safeParse(credentials);
  if (!parsed.success) {
    secretInvalid(`The X credentials are incomplete or invalid: ${describeIssues(parsed.error)}.`);
  }
  return box.seal(JSON.stringify(parsed.data), context);
}

/** Opens sealed X credentials and validates them. Throws DomainError "secret_invalid". */
export function openCredentials(box: SecretBox, sealed: string, context: string): XCredentials {
  const json = box.open(sealed, context);
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    secretInvalid(`The stored X credentials are not readable. ${RECONNECT_HINT}`);
  }
  const parsed = xCredentialsSchema.safeParse(value);
  if (!parsed.success) {
    secretInvalid(
      `The stored X credentials are incomplete or invalid (${describeIssues(parsed.error)}). ${RECONNECT_HINT}`,
    );
  }
  return parsed.data;
}
