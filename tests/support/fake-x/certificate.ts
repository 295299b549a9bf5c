import { generate } from "selfsigned";

export interface Certificate {
  /** PEM of the private key the server signs with. */
  readonly key: string;
  /** PEM of the self-signed certificate; clients trust it as their CA. */
  readonly cert: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * A fresh self-signed certificate for 127.0.0.1 and localhost. EC P-256, because an RSA key
 * takes a noticeable fraction of a second per test file. Valid from yesterday, so a clock skew
 * between processes cannot make it "not yet valid"; TLS checks use the real clock, never the
 * fake's injected one.
 */
export async function createCertificate(): Promise<Certificate> {
  const notBeforeDate = new Date(Date.now() - DAY_MS);
  const pems = await generate([{ name: "commonName", value: "127.0.0.1" }], {
    keyType: "ec",
    algorithm: "sha256",
    notBeforeDate,
    notAfterDate: new Date(notBeforeDate.getTime() + 30 * DAY_MS),
    extensions: [
      // The certificate is its own trust anchor (https.Agent `ca`, NODE_EXTRA_CA_CERTS).
      { name: "basicConstraints", cA: true },
      { name: "keyUsage", digitalSignature: true, keyCertSign: true },
      { name: "extKeyUsage", serverAuth: true },
      {
        name: "subjectAltName",
        altNames: [
          { type: 7, ip: "127.0.0.1" },
          { type: 2, value: "localhost" },
        ],
      },
    ],
  });
  return { key: pems.private, cert: pems.cert };
}
