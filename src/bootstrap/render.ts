// Renders one node's cloud-init user data: a #cloud-config document whose write_files carry the static scripts
// and units from templates/, one shell-quoted settings file (cloudlaunch.env), a node description (node.json) and
// the TLS files, and whose runcmd runs bootstrap.sh once. Spec values reach the output only through the settings
// file (shell-quoted) and node.json (JSON), and the whole document is serialized by a YAML library.
import { gzipSync } from "node:zlib";
import { stringify } from "yaml";
import type { ResolvedSpec, ProviderName, RoleName } from "../spec/schema.js";
import { PlanError } from "../errors.js";
import { specDurationSeconds } from "../spec/duration.js";
import { DASK_DASHBOARD_PORT, DASK_SCHEDULER_PORT, schedulerAddress, workerLayout } from "./dask-settings.js";
import { assertUserDataFits, fitsUserDataLimit } from "./limits.js";
import { shellArrayAssignment, shellAssignment } from "./shell.js";
import { readTemplate } from "./templates.js";
import type { NodeTlsMaterial } from "./tls.js";

const CONFIG_DIR = "/etc/cloudlaunch";
const SCRIPT_DIR = "/opt/cloudlaunch";
const VENV_DIR = "/opt/cloudlaunch/venv";
/** dask.shutdown_on_bootstrap_failure: time to read the console or ssh in before a failed node powers off. */
const SHUTDOWN_GRACE_MINUTES = 15;

export interface UserDataInput {
  provider: ProviderName;
  cluster: string;
  role: RoleName;
  /** The scheduler's name; workers leave it out so every worker's user data is identical (batched launches) and take their hostname. */
  nodeName?: string;
  vcpus: number;
  memoryGib: number;
  /** Workers: the scheduler's private IP (or a name the network resolves). */
  schedulerHost?: string;
  spec: Pick<ResolvedSpec, "dask" | "security" | "max_lifetime" | "tags" | "idle_timeout">;
  /** Required unless spec.security is false: see ensureClusterTls and nodeTlsFor. */
  tls?: NodeTlsMaterial;
}

interface NodeFile {
  path: string;
  permissions: string;
  content: string;
}

/** Renders, then compresses the files (write_files `gz+b64`) if the plain text is over the provider's limit. */
export function renderUserData(input: UserDataInput): string {
  const files = nodeFiles(input);
  const plain = toCloudConfig(files, false);
  if (fitsUserDataLimit(input.provider, plain)) return plain;
  const compressed = toCloudConfig(files, true);
  assertUserDataFits(input.provider, compressed, input.nodeName ?? `${input.cluster} ${input.role}`);
  return compressed;
}

export function tlsEnabled(spec: Pick<ResolvedSpec, "security">): boolean {
  return spec.security;
}

function nodeFiles(input: UserDataInput): NodeFile[] {
  const tls = tlsEnabled(input.spec);
  if (tls && !input.tls)
    throw new Error(`renderUserData(${input.nodeName ?? input.role}): TLS is on but no TLS material was given`);
  const script = (
    name: "bootstrap.sh" | "lib.sh" | "arm-lifetime.sh" | "setup-dask.sh" | "start-dask.sh" | "scheduler-address.sh",
  ) => ({ path: `${SCRIPT_DIR}/${name}`, permissions: "0755", content: readTemplate(name) });
  const unit = (name: "cloudlaunch-dask.service" | "cloudlaunch-lifetime.service") => ({
    path: `/etc/systemd/system/${name}`,
    permissions: "0644",
    content: readTemplate(name),
  });
  const files: NodeFile[] = [
    { path: `${CONFIG_DIR}/cloudlaunch.env`, permissions: "0644", content: settingsFile(input, tls) },
    { path: `${CONFIG_DIR}/node.json`, permissions: "0644", content: nodeDescription(input, tls) },
    script("bootstrap.sh"),
    script("lib.sh"),
    script("arm-lifetime.sh"),
    script("setup-dask.sh"),
    script("start-dask.sh"),
    script("scheduler-address.sh"),
    unit("cloudlaunch-dask.service"),
    unit("cloudlaunch-lifetime.service"),
  ];
  files.push(...idleFiles(input));
  if (tls && input.tls) {
    files.push(
      { path: `${CONFIG_DIR}/tls/ca.pem`, permissions: "0600", content: input.tls.caPem },
      { path: `${CONFIG_DIR}/tls/node.pem`, permissions: "0600", content: input.tls.certPem },
      { path: `${CONFIG_DIR}/tls/node-key.pem`, permissions: "0600", content: input.tls.keyPem },
    );
  }
  return files;
}

/**
 * idle_timeout: the wrapper, the power-off step (on GCP, the self-deletion it tries first) and the unit drop-in that
 * wires them into cloudlaunch-dask.service.
 */
function idleFiles(input: UserDataInput): NodeFile[] {
  if (!input.spec.idle_timeout) return [];
  return [
    { path: `${SCRIPT_DIR}/idle-run.sh`, permissions: "0755", content: readTemplate("idle-run.sh") },
    { path: `${SCRIPT_DIR}/idle-poweroff.sh`, permissions: "0755", content: readTemplate("idle-poweroff.sh") },
    ...(input.provider === "gcp"
      ? [{ path: `${SCRIPT_DIR}/gcp-delete-self.sh`, permissions: "0755", content: readTemplate("gcp-delete-self.sh") }]
      : []),
    {
      path: "/etc/systemd/system/cloudlaunch-dask.service.d/idle.conf",
      permissions: "0644",
      content: readTemplate("cloudlaunch-idle.conf"),
    },
  ];
}

function workerScheduler(input: UserDataInput, tls: boolean): string {
  if (input.role !== "worker") return "";
  if (!input.schedulerHost)
    throw new Error(`renderUserData(${input.nodeName ?? input.role}): a worker needs the scheduler's address`);
  return schedulerAddress(input.schedulerHost, tls);
}

function settingsFile(input: UserDataInput, tls: boolean): string {
  const dask = input.spec.dask;
  const layout = workerLayout(input.vcpus, input.memoryGib);
  const isWorker = input.role === "worker";
  for (const [i, pkg] of dask.pip_packages.entries()) {
    // pip would read a leading dash as one of its own options (--index-url...), not as a package.
    if (pkg.startsWith("-") || pkg.trim() === "")
      throw new PlanError(`dask.pip_packages[${i}] ${JSON.stringify(pkg)} is not a package requirement`);
  }
  const lines = [
    "# shellcheck shell=bash disable=SC2034",
    "# Written by cloudlaunch from the cluster spec; sourced by the scripts in /opt/cloudlaunch.",
    shellAssignment("CLOUDLAUNCH_PROVIDER", input.provider),
    shellAssignment("CLOUDLAUNCH_CLUSTER", input.cluster),
    shellAssignment("CLOUDLAUNCH_NODE", input.nodeName ?? ""),
    shellAssignment("CLOUDLAUNCH_ROLE", input.role),
    shellAssignment("CLOUDLAUNCH_VENV", VENV_DIR),
    shellAssignment(
      "CLOUDLAUNCH_MAX_LIFETIME_MINUTES",
      input.spec.max_lifetime ? specDurationSeconds("max_lifetime", input.spec.max_lifetime) / 60 : "",
    ),
    shellAssignment(
      "CLOUDLAUNCH_SHUTDOWN_ON_FAILURE_MINUTES",
      dask.shutdown_on_bootstrap_failure ? SHUTDOWN_GRACE_MINUTES : "",
    ),
    shellAssignment(
      "CLOUDLAUNCH_IDLE_TIMEOUT_SECONDS",
      input.spec.idle_timeout ? specDurationSeconds("idle_timeout", input.spec.idle_timeout) : "",
    ),
    shellAssignment("DASK_VERSION", dask.version),
    shellAssignment("DASK_PROTOCOL", tls ? "tls" : "tcp"),
    shellAssignment("DASK_SCHEDULER_PORT", DASK_SCHEDULER_PORT),
    shellAssignment("DASK_DASHBOARD_PORT", DASK_DASHBOARD_PORT),
    shellAssignment("DASK_SCHEDULER_ADDRESS", workerScheduler(input, tls)),
    shellAssignment("DASK_NWORKERS", isWorker ? layout.nworkers : ""),
    shellAssignment("DASK_NTHREADS", isWorker ? layout.nthreads : ""),
    shellAssignment("DASK_MEMORY_LIMIT", isWorker ? layout.memoryLimit : ""),
    shellArrayAssignment("DASK_PIP_PACKAGES", dask.pip_packages),
    shellArrayAssignment("DASK_SETUP_COMMANDS", dask.setup_commands),
  ];
  return `${lines.join("\n")}\n`;
}

/** For whoever logs in: what this node is. Not read by the scripts. */
function nodeDescription(input: UserDataInput, tls: boolean): string {
  const description = {
    provider: input.provider,
    cluster: input.cluster,
    node: input.nodeName ?? null,
    role: input.role,
    scheduler: input.role === "worker" ? workerScheduler(input, tls) : null,
    tls,
    dask_version: input.spec.dask.version,
    max_lifetime: input.spec.max_lifetime ?? null,
    tags: input.spec.tags,
  };
  return `${JSON.stringify(description, null, 2)}\n`;
}

/**
 * Characters YAML may not carry raw (PyYAML rejects DEL, C0/C1 controls) or that its reader turns into other line
 * breaks (CR, NEL, LS, PS): a file holding any of them (only a spec value can bring one) is written base64-encoded.
 */
const NOT_PLAIN_YAML = /[^\t\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/u;

function encodedContent(content: string, compress: boolean): { content: string; encoding?: string } {
  if (compress) return { encoding: "gz+b64", content: gzipSync(content, { level: 9 }).toString("base64") };
  if (NOT_PLAIN_YAML.test(content))
    return { encoding: "b64", content: Buffer.from(content, "utf8").toString("base64") };
  return { content };
}

function toCloudConfig(files: NodeFile[], compress: boolean): string {
  const document = {
    write_files: files.map((f) => ({
      path: f.path,
      owner: "root:root",
      permissions: f.permissions,
      ...encodedContent(f.content, compress),
    })),
    // runcmd's output to the log file and, through cloud-final.service's stdout, to the serial console that
    // `cloudlaunch logs` reads: stated here rather than left to the image's /etc/cloud/cloud.cfg.
    output: { all: "| tee -a /var/log/cloud-init-output.log" },
    // Exec form: no shell parses this line. runcmd runs once per instance, not on a restart.
    runcmd: [[`${SCRIPT_DIR}/bootstrap.sh`]],
  };
  // YAML 1.1 is what cloud-init's PyYAML reads: it makes the writer quote "0600", "yes", "on" and the like.
  return `#cloud-config\n${stringify(document, { version: "1.1", lineWidth: 0 })}`;
}
