// OpenSSH public key lines built from keys Node generates (no ssh-keygen needed): RFC 4253 §6.6, RFC 5656, RFC 8709.
import { generateKeyPairSync } from "node:crypto";

const sshString = (b: Buffer) => Buffer.concat([u32(b.length), b]);
const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
};
const mpint = (b: Buffer) => sshString(b[0] & 0x80 ? Buffer.concat([Buffer.from([0]), b]) : b);
const b64url = (s: string) => Buffer.from(s, "base64url");

export function publicKeyLine(
  kind: "ed25519" | "rsa" | "ecdsa",
  opts: { rsaBits?: number; comment?: string } = {},
): string {
  const comment = opts.comment ?? "user@example";
  if (kind === "ed25519") {
    const jwk = generateKeyPairSync("ed25519").publicKey.export({ format: "jwk" });
    const blob = Buffer.concat([sshString(Buffer.from("ssh-ed25519")), sshString(b64url(jwk.x!))]);
    return `ssh-ed25519 ${blob.toString("base64")} ${comment}`;
  }
  if (kind === "rsa") {
    const jwk = generateKeyPairSync("rsa", { modulusLength: opts.rsaBits ?? 2048 }).publicKey.export({ format: "jwk" });
    const blob = Buffer.concat([sshString(Buffer.from("ssh-rsa")), mpint(b64url(jwk.e!)), mpint(b64url(jwk.n!))]);
    return `ssh-rsa ${blob.toString("base64")} ${comment}`;
  }
  const jwk = generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey.export({ format: "jwk" });
  const point = Buffer.concat([Buffer.from([4]), b64url(jwk.x!), b64url(jwk.y!)]);
  const blob = Buffer.concat([
    sshString(Buffer.from("ecdsa-sha2-nistp256")),
    sshString(Buffer.from("nistp256")),
    sshString(point),
  ]);
  return `ecdsa-sha2-nistp256 ${blob.toString("base64")} ${comment}`;
}

/** A private key as ssh-keygen writes it (the body is not a real key: only its armour matters to the check). */
export const OPENSSH_PRIVATE_KEY =
  "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n-----END OPENSSH PRIVATE KEY-----\n";

export function pkcs8PrivateKey(): string {
  return generateKeyPairSync("ed25519").privateKey.export({ format: "pem", type: "pkcs8" }).toString();
}
