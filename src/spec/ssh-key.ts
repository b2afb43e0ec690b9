// ssh.public_key_file: it must hold one OpenSSH public key, read strictly (the blob inside the base64 is decoded
// and must match its type), so that a private key, a PuTTY file or a truncated paste is refused at validation and
// never sent into instance metadata. Format: RFC 4253 §6.6 (ssh-rsa), RFC 5656 §3.1 (ecdsa-sha2-*), RFC 8709 §4
// (ssh-ed25519); the line is the authorized_keys form "<type> <base64> [comment]" (OpenSSH sshd(8)).
import { readFileSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { PlanError } from "../errors.js";
import type { ClusterSpec } from "./schema.js";

export type KeyReading = { ok: true; line: string; type: string } | { ok: false; message: string };

/** A public key file is a line; anything past this is not one (a 16384-bit RSA key is ~2.8 KB). */
const MAX_KEY_FILE_BYTES = 16 * 1024;
const ECDSA_POINT_BYTES: Record<string, number> = { nistp256: 65, nistp384: 97, nistp521: 133 };
/** Azure: "SSH-2 RSA … minimum length of 2048 bits" and Ed25519; "ECDSA … not supported" (Linux VM SSH key docs). */
const AZURE_TYPES = new Set(["ssh-rsa", "ssh-ed25519"]);

function expandHome(file: string): string {
  return file.replace(/^~(?=$|\/)/, homedir());
}

export function readPublicKeyFile(file: string, provider?: ClusterSpec["provider"]): KeyReading {
  const path = expandHome(file);
  let text: string;
  try {
    const stat = statSync(path);
    if (!stat.isFile()) return { ok: false, message: `${path} is not a file` };
    if (stat.size > MAX_KEY_FILE_BYTES)
      return { ok: false, message: `${path} is ${stat.size} bytes: too big for an SSH public key` };
    text = readFileSync(path, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === "ENOENT"
        ? "does not exist (create a key with ssh-keygen -t ed25519)"
        : `cannot be read: ${(err as Error).message}`;
    return { ok: false, message: `${path} ${why}` };
  }
  if (/-----BEGIN [A-Z ]*PRIVATE KEY-----|^PuTTY-User-Key-File-/m.test(text)) {
    const message = `${path} is a private key, which must never leave this machine: give the public key (e.g. ${path}.pub)`;
    return { ok: false, message };
  }
  const lines = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("#"));
  if (lines.length !== 1)
    return { ok: false, message: `${path} holds ${lines.length} lines; it should hold one OpenSSH public key` };
  const reading = parsePublicKeyLine(lines[0]);
  if (!reading.ok) return { ok: false, message: `${path}: ${reading.message}` };
  if (provider === "azure" && !AZURE_TYPES.has(reading.type)) {
    const message = `${path} is an ${reading.type} key; Azure takes ssh-rsa (2048 bits or more) or ssh-ed25519 keys`;
    return { ok: false, message };
  }
  return reading;
}

function parsePublicKeyLine(line: string): KeyReading {
  const m = /^(\S+)\s+([A-Za-z0-9+/]+={0,2})(?:\s+(.*))?$/.exec(line);
  if (!m) return { ok: false, message: 'not an OpenSSH public key (expected "ssh-ed25519 AAAA… comment")' };
  const [, type, base64] = m;
  const blob = Buffer.from(base64, "base64");
  if (blob.toString("base64") !== base64) return { ok: false, message: "the key's base64 is damaged" };
  const problem = checkBlob(type, new SshReader(blob));
  return problem ? { ok: false, message: problem } : { ok: true, line, type };
}

function checkBlob(type: string, r: SshReader): string | undefined {
  if (!/^(ssh-rsa|ssh-ed25519|ecdsa-sha2-nistp(256|384|521))$/.test(type)) {
    return `key type ${type} is not supported: use ssh-ed25519, ssh-rsa or ecdsa-sha2-nistp256/384/521`;
  }
  const damaged = `the ${type} key is damaged or truncated`;
  try {
    if (r.string().toString("latin1") !== type) return `${damaged} (its data names another type)`;
    if (type === "ssh-ed25519" && r.string().length !== 32) return damaged;
    if (type === "ssh-rsa") {
      r.string(); // public exponent e
      const n = r.string();
      const bits = (n.length - (n[0] === 0 ? 1 : 0)) * 8;
      if (bits < 2048) return `the ssh-rsa key has ${bits} bits; 2048 or more are needed`;
    }
    if (type.startsWith("ecdsa-")) {
      const curve = type.slice("ecdsa-sha2-".length);
      if (r.string().toString("latin1") !== curve || r.string().length !== ECDSA_POINT_BYTES[curve]) return damaged;
    }
    return r.done() ? undefined : damaged;
  } catch {
    return damaged;
  }
}

/** RFC 4251 §5 "string": a uint32 length, then that many bytes. */
class SshReader {
  private offset = 0;
  constructor(private readonly buf: Buffer) {}
  string(): Buffer {
    if (this.offset + 4 > this.buf.length) throw new RangeError("short");
    const length = this.buf.readUInt32BE(this.offset);
    const start = this.offset + 4;
    if (start + length > this.buf.length) throw new RangeError("short");
    this.offset = start + length;
    return this.buf.subarray(start, this.offset);
  }
  done(): boolean {
    return this.offset === this.buf.length;
  }
}

/** Azure VMs have password login off, so they need a key; elsewhere a key is optional (OS Login, key pairs). */
export const KEY_REQUIRED_MESSAGE = "Azure VMs need an SSH public key (password login is off): set ssh.public_key_file";
export const keyRequired = (provider: string) => provider === "azure";

/**
 * For the drivers, every cloud alike: the validated key line of spec.ssh.public_key_file, or undefined when none is
 * set and the cloud needs none. A file that cannot be read or is no key, or a missing key the cloud needs, is a
 * PlanError (validation refused both already; this refuses rather than launch without the key).
 */
export function publicKeyLine(spec: Pick<ClusterSpec, "provider" | "ssh">): string | undefined {
  const file = spec.ssh?.public_key_file;
  if (!file) {
    if (keyRequired(spec.provider)) throw new PlanError(KEY_REQUIRED_MESSAGE);
    return undefined;
  }
  const reading = readPublicKeyFile(file, spec.provider);
  if (!reading.ok) throw new PlanError(`ssh.public_key_file: ${reading.message}`);
  return reading.line;
}
