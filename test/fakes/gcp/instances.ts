// Instances whose status is computed from the time of their last transition, so thousands of them cost nothing
// between calls: PROVISIONING → STAGING → RUNNING after insert/start, STOPPING → TERMINATED after stop, and
// STOPPING → gone after delete (the boot disk goes with the instance when autoDelete is set).
import { createHash } from "node:crypto";
import type { IpPool } from "../common";
import type { FakeState, MachineType } from "./state";
import { projectUrl, regionUrl, zoneUrl } from "./wire";

export type Phase = "run" | "stop" | "delete";

export interface FakeInstance {
  id: string;
  name: string;
  zone: string;
  machineType: MachineType;
  createdMs: number;
  labels: Record<string, string>;
  networkTags: string[];
  metadataItems: { key: string; value?: string }[];
  scheduling: Record<string, unknown>;
  /** At most one, its email resolved ("default" → the project's Compute Engine default service account). */
  serviceAccounts: { email: string; scopes: string[] }[];
  privateIp: string;
  boot: { sizeGb: number; image: string; arch: string; labels: Record<string, string>; autoDelete: boolean };
  phase: Phase;
  phaseMs: number;
  /** The ephemeral external IP of the current run; a stop releases it and a start takes a new one. */
  natIp?: string;
  lastStartMs: number;
  lastStopMs?: number;
  /** An instance that does not get to RUNNING before this time (forever: Infinity) stays PROVISIONING. */
  holdUntilMs?: number;
}

export type InstanceStatus = "PROVISIONING" | "STAGING" | "RUNNING" | "STOPPING" | "TERMINATED" | "GONE";

export function instanceStatus(inst: FakeInstance, transitionMs: number, now = Date.now()): InstanceStatus {
  const elapsed = now - inst.phaseMs;
  if (inst.phase === "run" && inst.holdUntilMs !== undefined && now < inst.holdUntilMs) return "PROVISIONING";
  if (inst.phase === "run")
    return elapsed < transitionMs / 2 ? "PROVISIONING" : elapsed < transitionMs ? "STAGING" : "RUNNING";
  if (elapsed < transitionMs) return "STOPPING";
  return inst.phase === "stop" ? "TERMINATED" : "GONE";
}

export function startInstance(inst: FakeInstance, publicIps: IpPool, now = Date.now()) {
  inst.phase = "run";
  inst.phaseMs = now;
  inst.lastStartMs = now;
  inst.natIp = publicIps.next();
}

export function stopInstance(inst: FakeInstance, phase: "stop" | "delete", now = Date.now()) {
  inst.phase = phase;
  inst.phaseMs = now;
  inst.lastStopMs = now;
}

/** Drops deleted instances once their deletion has finished. */
export function sweepGone(state: FakeState, transitionMs: number, now = Date.now()) {
  for (const [key, inst] of state.instances) {
    if (inst.phase === "delete" && instanceStatus(inst, transitionMs, now) === "GONE") state.instances.delete(key);
  }
}

export function instanceJson(state: FakeState, inst: FakeInstance, transitionMs: number, now = Date.now()) {
  const status = instanceStatus(inst, transitionMs, now);
  const zone = zoneUrl(state.project, inst.zone);
  const showNat = status === "STAGING" || status === "RUNNING" || (status === "STOPPING" && inst.phase === "stop");
  const accessConfig: Record<string, unknown> = {
    kind: "compute#accessConfig",
    type: "ONE_TO_ONE_NAT",
    name: "External NAT",
    networkTier: "PREMIUM",
  };
  if (showNat && inst.natIp) accessConfig.natIP = inst.natIp;
  return {
    kind: "compute#instance",
    id: inst.id,
    creationTimestamp: new Date(inst.createdMs).toISOString(),
    name: inst.name,
    tags: { items: inst.networkTags, fingerprint: "42WmSpB8rSM=" },
    machineType: `${zone}/machineTypes/${inst.machineType.name}`,
    status,
    zone,
    canIpForward: false,
    networkInterfaces: [
      {
        kind: "compute#networkInterface",
        network: `${projectUrl(state.project)}/global/networks/${state.network}`,
        subnetwork: `${regionUrl(state.project, state.region)}/subnetworks/${state.subnetwork.name}`,
        networkIP: inst.privateIp,
        name: "nic0",
        accessConfigs: [accessConfig],
        stackType: "IPV4_ONLY",
      },
    ],
    disks: [
      {
        kind: "compute#attachedDisk",
        type: "PERSISTENT",
        mode: "READ_WRITE",
        source: `${zone}/disks/${inst.name}`,
        deviceName: "persistent-disk-0",
        index: 0,
        boot: true,
        autoDelete: inst.boot.autoDelete,
        interface: "SCSI",
        diskSizeGb: String(inst.boot.sizeGb),
        architecture: inst.boot.arch,
      },
    ],
    metadata: { kind: "compute#metadata", fingerprint: metadataFingerprint(inst), items: inst.metadataItems },
    selfLink: `${zone}/instances/${inst.name}`,
    scheduling: inst.scheduling,
    ...(inst.serviceAccounts.length > 0 && { serviceAccounts: inst.serviceAccounts }),
    cpuPlatform: inst.machineType.arch === "ARM64" ? "Google Axion" : "Intel Cascade Lake",
    labels: inst.labels,
    labelFingerprint: "vvcAiFgFx9Y=",
    lastStartTimestamp: new Date(inst.lastStartMs).toISOString(),
    ...(inst.lastStopMs ? { lastStopTimestamp: new Date(inst.lastStopMs).toISOString() } : {}),
  };
}

/** The boot disk as disks.list shows it: named after the instance, carrying initializeParams.labels. */
export function bootDiskJson(state: FakeState, inst: FakeInstance) {
  const zone = zoneUrl(state.project, inst.zone);
  return {
    kind: "compute#disk",
    id: inst.id,
    name: inst.name,
    sizeGb: String(inst.boot.sizeGb),
    zone,
    status: "READY",
    selfLink: `${zone}/disks/${inst.name}`,
    sourceImage: inst.boot.image,
    type: `${zone}/diskTypes/pd-balanced`,
    labels: inst.boot.labels,
    users: [`${zone}/instances/${inst.name}`],
    architecture: inst.boot.arch,
  };
}

/** Changes whenever the items do, as Compute's does: setMetadata must send the current one. */
export function metadataFingerprint(inst: FakeInstance): string {
  return createHash("sha256").update(JSON.stringify(inst.metadataItems)).digest("base64").slice(0, 12);
}
