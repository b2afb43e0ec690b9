// A corpus of broken specs, one row each: every problem must come out as a SpecError at its real line:column with
// the field path — YAML syntax, resource exhaustion, schema, semantic and rendering rules alike.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SpecError, type SpecProblem } from "../../src/errors";
import { parseSpec } from "../../src/spec/load";
import { OPENSSH_PRIVATE_KEY, pkcs8PrivateKey, publicKeyLine } from "../support/ssh-keys";

const dir = mkdtempSync(join(tmpdir(), "cloudlaunch-corpus-"));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const keys = {
  ed25519: file("id_ed25519.pub", `${publicKeyLine("ed25519")}\n`),
  ecdsa: file("id_ecdsa.pub", `${publicKeyLine("ecdsa")}\n`),
  openssh: file("id_ed25519", OPENSSH_PRIVATE_KEY),
  pkcs8: file("key.pem", pkcs8PrivateKey()),
  shortRsa: file("id_rsa_1024.pub", `${publicKeyLine("rsa", { rsaBits: 1024 })}\n`),
  truncated: file("truncated.pub", `${publicKeyLine("ed25519").slice(0, 60)}\n`),
  missing: join(dir, "nope.pub"),
};

const AWS = `name: demo
provider: aws
region: us-east-1
scheduler:
  instance_type: m7i.large
workers:
  count: 2
  min_vcpus: 4
network:
  allowed_cidrs: [203.0.113.10/32]
`;
const GCP = `${AWS.replace("provider: aws", "provider: gcp").replace("us-east-1", "us-central1").replace("m7i.large", "n2-standard-2")}gcp: {project: p}\n`;
const AZURE =
  AWS.replace("provider: aws", "provider: azure")
    .replace("us-east-1", "eastus")
    .replace("m7i.large", "Standard_D2s_v5") +
  `azure: {subscription_id: s, resource_group: rg}\nssh: {public_key_file: ${keys.ed25519}}\n`;

type Expected = { line: number; column: number; path?: string; message: RegExp };
const deep = (n: number) => `name: demo\nx: ${"[".repeat(n)}${"]".repeat(n)}\n`;
const bomb = [
  "a: &a [x, x, x, x, x, x, x, x, x]",
  ...["b", "c", "d", "e"].map((k, i) => `${k}: &${k} [${Array(9).fill(`*${"abcd"[i]}`).join(", ")}]`),
].join("\n");

const CORPUS: [string, string, Expected[]][] = [
  [
    "an unclosed [ points at the bracket",
    "name: demo\nworkers: [1, 2\n",
    [{ line: 2, column: 10, message: /^YAML: Flow sequence/ }],
  ],
  [
    "bad indentation",
    "name: demo\nworkers:\n  count: 1\n min_vcpus: 2\n",
    [{ line: 4, column: 1, message: /^YAML: / }],
  ],
  [
    "a tab as indentation",
    "name: demo\nworkers:\n\tcount: 1\n",
    [{ line: 3, column: 1, message: /Tabs are not allowed/ }],
  ],
  ["a duplicate key", "name: demo\nregion: a\nname: other\n", [{ line: 3, column: 1, message: /unique/ }]],
  [
    "several syntax errors at once",
    "name: [1\nx:\n\ty: 1\n",
    [
      { line: 1, column: 7, message: /Flow/ },
      { line: 3, column: 1, message: /Tabs/ },
    ],
  ],
  ["an alias bomb", bomb, [{ line: 2, column: 8, message: /aliases expand too much/ }]],
  ["nesting 40 deep", deep(40), [{ line: 2, column: 4 + 31, message: /nested deeper than 32 levels/ }]],
  [
    "nesting 5000 deep (the parser's own stack overflow)",
    deep(5000),
    [{ line: 2, column: expect.any(Number) as never, message: /nested deeper/ }],
  ],
  [
    "a multi-megabyte file",
    `name: demo\nx: "${"y".repeat(3 * 1024 * 1024)}"\n`,
    [{ line: 1, column: 1, message: /over the 262144-byte limit/ }],
  ],
  [
    "floors no type meets",
    AWS.replace("min_vcpus: 4", "min_vcpus: 5000"),
    [{ line: 8, column: 14, path: "workers.min_vcpus", message: /no instance type .* ≥ 5000 vCPUs/ }],
  ],
  [
    "floors no type meets, with other problems, all at once",
    AWS.replace("min_vcpus: 4", "min_vcpus: 5000").replace("name: demo", "name: Demo"),
    [
      { line: 1, column: 7, path: "name", message: /invalid/ },
      { line: 8, column: 14, path: "workers.min_vcpus", message: /≥ 5000 vCPUs/ },
    ],
  ],
  [
    "a pip_packages entry that is an option",
    `${AWS}dask:\n  pip_packages: [pandas, --index-url=http://evil]\n`,
    [{ line: 12, column: 26, path: "dask.pip_packages[1]", message: /not a package requirement/ }],
  ],
  [
    "a NUL in setup_commands",
    `${AWS}dask:\n  setup_commands:\n    - "echo a\\0b"\n`,
    [{ line: 13, column: 7, path: "dask.setup_commands[0]", message: /NUL/ }],
  ],
  [
    "max_lifetime: 0m",
    `${AWS}max_lifetime: 0m\n`,
    [{ line: 11, column: 15, path: "max_lifetime", message: /at least 1m/ }],
  ],
  [
    "idle_timeout: 0m",
    `${AWS}idle_timeout: 0m\n`,
    [{ line: 11, column: 15, path: "idle_timeout", message: /at least 1m/ }],
  ],
  [
    "idle_timeout: 0d on GCP",
    `${GCP}idle_timeout: 0d\n`,
    [{ line: 12, column: 15, path: "idle_timeout", message: /at least 1m/ }],
  ],
  [
    "an idle_timeout past any real idle time",
    `${AWS}idle_timeout: 99999999999999999999d\n`,
    [{ line: 11, column: 15, path: "idle_timeout", message: /at most 365d/ }],
  ],
  [
    "an idle_timeout in seconds",
    `${AWS}idle_timeout: 30s\n`,
    [{ line: 11, column: 15, path: "idle_timeout", message: /invalid/ }],
  ],
  [
    "a CIDR with a prefix over 32",
    AWS.replace("203.0.113.10/32", "203.0.113.10/33"),
    [{ line: 10, column: 19, path: "network.allowed_cidrs[0]", message: /not a CIDR/ }],
  ],
  [
    "a CIDR with host bits set",
    AWS.replace("203.0.113.10/32", "10.0.0.1/8"),
    [{ line: 10, column: 19, message: /host bits set: write 10\.0\.0\.0\/8 .* 10\.0\.0\.1\/32/ }],
  ],
  [
    "10.0.0.0/0, which is all of IPv4",
    AWS.replace("203.0.113.10/32", "10.0.0.0/0"),
    [{ line: 10, column: 19, message: /0\.0\.0\.0\/0.*whole internet/ }],
  ],
  [
    "an IPv4 address with a leading zero",
    AWS.replace("203.0.113.10/32", "010.0.0.1/32"),
    [{ line: 10, column: 19, message: /leading zero/ }],
  ],
  [
    "20 CIDRs on AWS (61 rules)",
    AWS.replace("[203.0.113.10/32]", `[${Array.from({ length: 20 }, (_, i) => `203.0.113.${i}/32`).join(", ")}]`),
    [
      {
        line: 10,
        column: 18,
        path: "network.allowed_cidrs",
        message: /61 security group rules.*60 inbound rules.*at most 19/,
      },
    ],
  ],
  [
    "IPv4 and IPv6 in one GCP firewall rule",
    GCP.replace("[203.0.113.10/32]", "[203.0.113.10/32, 2001:db8::/64]"),
    [{ line: 10, column: 18, message: /IPv4 or IPv6 ranges, not both/ }],
  ],
  [
    "an Azure confidential size named explicitly",
    AZURE.replace("Standard_D2s_v5", "Standard_DC2as_v5"),
    [{ line: 5, column: 18, path: "scheduler.instance_type", message: /confidential VM security profile/ }],
  ],
  [
    "an Azure Generation 1 size named explicitly",
    AZURE.replace("Standard_D2s_v5", "Standard_A2_v2"),
    [{ line: 5, column: 18, message: /Generation 1 image/ }],
  ],
  [
    "a private key (OpenSSH) as public_key_file",
    `${GCP}ssh: {public_key_file: ${keys.openssh}}\n`,
    [
      {
        line: 12,
        column: 24,
        path: "ssh.public_key_file",
        message: /is a private key, which must never leave this machine/,
      },
    ],
  ],
  [
    "a private key (PKCS#8) as public_key_file",
    `${AWS}ssh: {public_key_file: ${keys.pkcs8}}\n`,
    [{ line: 11, column: 24, message: /private key/ }],
  ],
  [
    "a missing key file on GCP",
    `${GCP}ssh: {public_key_file: ${keys.missing}}\n`,
    [{ line: 12, column: 24, message: /does not exist/ }],
  ],
  [
    "a 1024-bit RSA key",
    `${GCP}ssh: {public_key_file: ${keys.shortRsa}}\n`,
    [{ line: 12, column: 24, message: /1024 bits; 2048 or more/ }],
  ],
  [
    "a truncated key",
    `${GCP}ssh: {public_key_file: ${keys.truncated}}\n`,
    [{ line: 12, column: 24, message: /damaged|base64/ }],
  ],
  [
    "an ECDSA key on Azure",
    AZURE.replace(keys.ed25519, keys.ecdsa),
    [{ line: 12, column: 24, message: /Azure takes ssh-rsa .* or ssh-ed25519/ }],
  ],
  [
    "Azure without a key",
    AZURE.replace(/ssh: .*\n/, ""),
    [{ line: 1, column: 1, path: "", message: /Azure VMs need an SSH public key/ }],
  ],
];

function problems(text: string): SpecProblem[] {
  try {
    parseSpec(text, "spec.yaml");
  } catch (err) {
    expect(err).toBeInstanceOf(SpecError);
    return (err as SpecError).problems;
  }
  throw new Error("expected a SpecError");
}

describe("the bad-spec corpus", () => {
  it.each(CORPUS)("%s", (_name, text, expected) => {
    const found = problems(text);
    expect(found).toHaveLength(expected.length);
    expected.forEach((e, i) => {
      expect(found[i]).toMatchObject({
        file: "spec.yaml",
        line: e.line,
        column: e.column,
        ...(e.path !== undefined && { path: e.path }),
      });
      expect(found[i].message).toMatch(e.message);
    });
  });

  it("accepts every supported public key type, on every cloud", () => {
    for (const kind of ["ed25519", "rsa", "ecdsa"] as const) {
      const key = file(`ok-${kind}.pub`, `${publicKeyLine(kind)}\n`);
      expect(() => parseSpec(`${GCP}ssh: {public_key_file: ${key}}\n`, "s")).not.toThrow();
      expect(() => parseSpec(`${AWS}ssh: {public_key_file: ${key}}\n`, "s")).not.toThrow();
    }
    expect(() => parseSpec(AZURE, "s")).not.toThrow();
  });

  it("reading a spec only to find the cluster (status/terminate --spec) skips what only a launch needs", () => {
    const gone = `${GCP.replace("min_vcpus: 4", "min_vcpus: 5000")}ssh: {public_key_file: ${keys.missing}}\n`;
    expect(problems(gone).map((p) => p.path)).toEqual(["workers.min_vcpus", "ssh.public_key_file"]);
    expect(parseSpec(gone, "s", "locate").spec).toMatchObject({ provider: "gcp", region: "us-central1" });
    expect(() => parseSpec(gone.replace("us-central1", "us-central9"), "s", "locate")).toThrow(SpecError);
  });
});
