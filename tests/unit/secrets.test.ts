import { randomBytes } from "node:crypto";
import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { DomainError } from "../../src/domain/errors.ts";
import {
  openCredentials,
  parseSecretKey,
  SecretBox,
  sealCredentials,
  type XCredentials,
  xCredentialsSchema,
} from "../../src/domain/secrets.ts";

const KEY_A = Buffer.alloc(32, 0xa1);
const KEY_B = Buffer.alloc(32, 0xb2);
const CONTEXT = "x-account:42";
const PLAINTEXT = "oauth-token-1234567890-s3cr3t";

function refusal(run: () => unknown): DomainError {
  try {
    run();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error("expected a DomainError, but nothing was thrown");
}

/** Flips one bit in the decoded bytes of a dot-separated part and re-encodes it. */
function flipBit(sealed: string, partIndex: number, byteIndex = 0): string {
  const parts = sealed.split(".");
  const bytes = Buffer.from(parts[partIndex] ?? "", "base64url");
  bytes[byteIndex] = (bytes[byteIndex] ?? 0) ^ 0x01;
  parts[partIndex] = bytes.toString("base64url");
  return parts.join(".");
}

describe("SecretBox", () => {
  it("given a sealed value and the same context, opens it to the plaintext", () => {
    const box = new SecretBox({ current: KEY_A });
    for (const text of [PLAINTEXT, "", "ünïcödé 🎉 with.dots.inside"]) {
      expect(box.open(box.seal(text, CONTEXT), CONTEXT)).toBe(text);
    }
  });

  it("produces v1.<keyId>.<nonce>.<tag>.<ciphertext> with base64url parts of the right sizes", () => {
    const sealed = new SecretBox({ current: KEY_A }).seal(PLAINTEXT, CONTEXT);
    const [version, keyId, nonce, tag, ciphertext, ...rest] = sealed.split(".");
    expect(rest).toEqual([]);
    expect(version).toBe("v1");
    expect(Buffer.from(keyId ?? "", "base64url")).toHaveLength(8);
    expect(Buffer.from(nonce ?? "", "base64url")).toHaveLength(12);
    expect(Buffer.from(tag ?? "", "base64url")).toHaveLength(16);
    expect(Buffer.from(ciphertext ?? "", "base64url")).toHaveLength(Buffer.byteLength(PLAINTEXT));
    expect(sealed).toMatch(/^v1(\.[A-Za-z0-9_-]*){4}$/);
  });

  it("given the same text sealed twice, gives two different values without the plaintext", () => {
    const box = new SecretBox({ current: KEY_A });
    const first = box.seal(PLAINTEXT, CONTEXT);
    const second = box.seal(PLAINTEXT, CONTEXT);
    expect(first).not.toBe(second);
    expect(first.split(".")[2]).not.toBe(second.split(".")[2]);
    for (const sealed of [first, second]) {
      expect(sealed).not.toContain(PLAINTEXT);
      expect(sealed).not.toContain(Buffer.from(PLAINTEXT).toString("base64url"));
    }
  });

  it("given a value sealed with another key, refuses it naming a different HERALD_SECRET_KEY", () => {
    const sealed = new SecretBox({ current: KEY_A }).seal(PLAINTEXT, CONTEXT);
    const error = refusal(() => new SecretBox({ current: KEY_B }).open(sealed, CONTEXT));
    expect(error.code).toBe("secret_invalid");
    expect(error.message).toContain("was encrypted with a different HERALD_SECRET_KEY");
    expect(error.message).not.toContain(PLAINTEXT);
    expect(error.message).not.toContain(KEY_A.toString("base64"));
    expect(error.message).not.toContain(KEY_B.toString("base64"));
  });

  it.each([
    ["nonce", 2],
    ["tag", 3],
    ["ciphertext", 4],
  ])("given a flipped bit in the %s, refuses it", (_part, partIndex) => {
    const box = new SecretBox({ current: KEY_A });
    const sealed = box.seal(PLAINTEXT, CONTEXT);
    for (const byteIndex of [0, 5, 11]) {
      const error = refusal(() => box.open(flipBit(sealed, partIndex, byteIndex), CONTEXT));
      expect(error.code).toBe("secret_invalid");
      expect(error.message).toContain("was changed or belongs to another record");
      expect(error.message).not.toContain(PLAINTEXT);
    }
  });

  it("given a flipped bit in the key id, refuses it as sealed with a different key", () => {
    const box = new SecretBox({ current: KEY_A });
    const error = refusal(() => box.open(flipBit(box.seal(PLAINTEXT, CONTEXT), 1), CONTEXT));
    expect(error.code).toBe("secret_invalid");
    expect(error.message).toContain("different HERALD_SECRET_KEY");
  });

  it("given a tag spelled in non-canonical base64url (same bytes), refuses it", () => {
    const box = new SecretBox({ current: KEY_A });
    const parts = box.seal(PLAINTEXT, CONTEXT).split(".");
    const tag = parts[3] ?? "";
    // 16 bytes take 22 characters; the low 4 bits of the last one are unused.
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const last = alphabet.indexOf(tag.at(-1) ?? "");
    parts[3] = tag.slice(0, -1) + alphabet.charAt(last ^ 0x01);
    expect(Buffer.from(parts[3], "base64url")).toEqual(Buffer.from(tag, "base64url"));
    const error = refusal(() => box.open(parts.join("."), CONTEXT));
    expect(error.code).toBe("secret_invalid");
  });

  it("given another context (a value copied to another row), refuses it", () => {
    const box = new SecretBox({ current: KEY_A });
    const sealed = box.seal(PLAINTEXT, "x-account:42");
    const error = refusal(() => box.open(sealed, "x-account:43"));
    expect(error.code).toBe("secret_invalid");
    expect(error.message).not.toContain(PLAINTEXT);
  });

  it("given a relabelled version, refuses it", () => {
    const box = new SecretBox({ current: KEY_A });
    const sealed = box.seal(PLAINTEXT, CONTEXT).replace(/^v1\./, "v2.");
    const error = refusal(() => box.open(sealed, CONTEXT));
    expect(error.code).toBe("secret_invalid");
    expect(error.message).toContain("not in a format");
  });

  it("given a plaintext stored by mistake, refuses it without repeating it", () => {
    const box = new SecretBox({ current: KEY_A });
    for (const value of [PLAINTEXT, "my.secret.token.value.here", ""]) {
      const error = refusal(() => box.open(value, CONTEXT));
      expect(error.code).toBe("secret_invalid");
      expect(error.message).not.toContain("secret.token");
      expect(error.message).not.toContain(PLAINTEXT);
    }
  });

  it("given a value with a missing or extra part, refuses it as damaged", () => {
    const box = new SecretBox({ current: KEY_A });
    const sealed = box.seal(PLAINTEXT, CONTEXT);
    const parts = sealed.split(".");
    for (const value of [parts.slice(0, 4).join("."), `${sealed}.extra`, `${sealed}!`]) {
      const error = refusal(() => box.open(value, CONTEXT));
      expect(error.code).toBe("secret_invalid");
      expect(error.message).toContain("damaged");
    }
  });

  it("given current=B and previous=[A], opens a value sealed with A, which needs rotation until re-sealed", () => {
    const old = new SecretBox({ current: KEY_A });
    const sealedWithA = old.seal(PLAINTEXT, CONTEXT);
    expect(old.needsRotation(sealedWithA)).toBe(false);

    const rotated = new SecretBox({ current: KEY_B, previous: [KEY_A] });
    expect(rotated.needsRotation(sealedWithA)).toBe(true);
    const resealed = rotated.seal(rotated.open(sealedWithA, CONTEXT), CONTEXT);
    expect(rotated.needsRotation(resealed)).toBe(false);
    expect(rotated.open(resealed, CONTEXT)).toBe(PLAINTEXT);
    expect(refusal(() => old.open(resealed, CONTEXT)).message).toContain(
      "different HERALD_SECRET_KEY",
    );
  });

  it("given a malformed value, needsRotation refuses it", () => {
    const box = new SecretBox({ current: KEY_A });
    expect(refusal(() => box.needsRotation("garbage")).code).toBe("secret_invalid");
  });

  it("given a key that is not 32 bytes, refuses to build the box", () => {
    for (const keys of [
      { current: Buffer.alloc(16) },
      { current: KEY_A, previous: [Buffer.alloc(31)] },
    ]) {
      const error = refusal(() => new SecretBox(keys));
      expect(error.code).toBe("secret_invalid");
      expect(error.message).toContain("openssl rand -base64 32");
    }
  });

  it("copies its keys and does not show them when inspected or serialised", () => {
    const key = Buffer.from(KEY_A);
    const box = new SecretBox({ current: key });
    const sealed = box.seal(PLAINTEXT, CONTEXT);
    key.fill(0);
    expect(box.open(sealed, CONTEXT)).toBe(PLAINTEXT);
    for (const shown of [inspect(box, { depth: 5 }), JSON.stringify(box)]) {
      expect(shown).not.toContain(KEY_A.toString("hex"));
      expect(shown).not.toContain("161, 161");
      expect(shown).not.toMatch(/a1 a1/);
    }
  });
});

describe("parseSecretKey", () => {
  it("given 32 random bytes in base64 (openssl rand -base64 32), returns them", () => {
    const key = randomBytes(32);
    expect(parseSecretKey(key.toString("base64"))).toEqual(key);
    expect(parseSecretKey(` ${key.toString("base64")}\n`)).toEqual(key);
    expect(parseSecretKey(key.toString("base64url"))).toEqual(key);
  });

  it.each([
    ["16 bytes", randomBytes(16).toString("base64"), "decodes to 16 bytes"],
    ["a 64-character hex key", randomBytes(32).toString("hex"), "decodes to 48 bytes"],
    ["garbage", "not a key!", "not base64"],
    ["an empty value", "", "not base64"],
  ])("given %s, refuses it with the openssl hint", (_situation, value, detail) => {
    const error = refusal(() => parseSecretKey(value));
    expect(error.code).toBe("secret_invalid");
    expect(error.message).toContain(
      "HERALD_SECRET_KEY must be 32 bytes encoded as base64; make one with: openssl rand -base64 32",
    );
    expect(error.message).toContain(detail);
    if (value !== "") expect(error.message).not.toContain(value);
  });
});

describe("X credentials", () => {
  const box = new SecretBox({ current: KEY_A });
  const oauth1: XCredentials = {
    kind: "oauth1",
    appKey: "app-key",
    appSecret: "app-secret-value",
    accessToken: "123-access-token",
    accessSecret: "access-secret-value",
  };
  const oauth2: XCredentials = {
    kind: "oauth2",
    accessToken: "bearer-access",
    refreshToken: "refresh-me",
    expiresAt: "2026-05-01T12:00:00.000Z",
  };

  it.each([
    ["OAuth 1.0a", oauth1],
    ["OAuth 2.0 with refresh token and expiry", oauth2],
    [
      "OAuth 2.0 with an access token only",
      { kind: "oauth2", accessToken: "only-access-token" } as XCredentials,
    ],
  ])("given %s credentials, seals and opens them unchanged", (_kind, credentials) => {
    const sealed = sealCredentials(box, credentials, CONTEXT);
    expect(sealed).not.toContain(credentials.accessToken);
    expect(openCredentials(box, sealed, CONTEXT)).toEqual(credentials);
  });

  it("given sealed credentials opened for another account, refuses them", () => {
    const sealed = sealCredentials(box, oauth1, "x-account:1");
    expect(refusal(() => openCredentials(box, sealed, "x-account:2")).code).toBe("secret_invalid");
  });

  it("given credentials with an empty secret, refuses to seal them and names the field only", () => {
    const error = refusal(() =>
      sealCredentials(box, { ...oauth1, appSecret: "", accessToken: "visible-token" }, CONTEXT),
    );
    expect(error.code).toBe("secret_invalid");
    expect(error.message).toContain("appSecret");
    expect(error.message).not.toContain("visible-token");
  });

  it("given a sealed value that is not JSON credentials, refuses to open it", () => {
    for (const text of ["not json", JSON.stringify({ kind: "oauth1", appKey: "k" })]) {
      const error = refusal(() => openCredentials(box, box.seal(text, CONTEXT), CONTEXT));
      expect(error.code).toBe("secret_invalid");
      expect(error.message).toContain("/x connect");
      expect(error.message).not.toContain("not json");
    }
  });

  it("refuses unknown kinds, empty strings and an expiry that is not ISO 8601", () => {
    expect(xCredentialsSchema.safeParse(oauth1).success).toBe(true);
    expect(
      xCredentialsSchema.safeParse({ ...oauth2, expiresAt: "2026-05-01T14:00:00+02:00" }).success,
    ).toBe(true);
    for (const value of [
      { kind: "basic", user: "u", password: "p" },
      { ...oauth1, accessSecret: "" },
      { kind: "oauth2", accessToken: "" },
      { kind: "oauth2", accessToken: "a", refreshToken: "" },
      { kind: "oauth2", accessToken: "a", expiresAt: "tomorrow" },
      { kind: "oauth1", appKey: "k" },
    ]) {
      expect(xCredentialsSchema.safeParse(value).success).toBe(false);
    }
  });
});
