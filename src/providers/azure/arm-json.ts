// Resource Manager lists read as the JSON the REST reference documents, for listings that grow with the cluster
// (every VM, power state, NIC and public IP of a group). The generated clients model every field of every item and
// convert each one; a 1000-node listing spent most of its time there, and in loading @azure/arm-network, for the
// dozen fields a node needs. So these reads go through the Compute SDK's REST-level client
// (`createComputeManagement` of @azure/arm-compute/api: the same pipeline, credential, retries and policies), which
// returns the body as sent, and this module pages it and keeps what it needs.
import { createComputeManagement, type ComputeManagementContext } from "@azure/arm-compute/api";

export type ArmJson = ComputeManagementContext;
export const createArmJson = createComputeManagement;

/** The api-versions the SDKs in package.json use for these operations (so a listing reads what the SDK would). */
export const COMPUTE_API = "2026-03-01";
export const NETWORK_API = "2025-05-01";

/** A VM as Virtual Machines - List / List All answer it. https://learn.microsoft.com/rest/api/compute/virtual-machines/list */
export interface VmJson {
  id?: string;
  name?: string;
  location?: string;
  tags?: Record<string, string>;
  zones?: string[];
  properties?: {
    provisioningState?: string;
    hardwareProfile?: { vmSize?: string };
    timeCreated?: string;
    priority?: string;
    instanceView?: { statuses?: StatusJson[] };
  };
}

export interface StatusJson {
  code?: string;
  message?: string;
}

/** https://learn.microsoft.com/rest/api/virtualnetwork/network-interfaces/list */
export interface NicJson {
  properties?: {
    virtualMachine?: { id?: string };
    ipConfigurations?: {
      properties?: { primary?: boolean; privateIPAddress?: string; publicIPAddress?: { id?: string } };
    }[];
  };
}

/** https://learn.microsoft.com/rest/api/virtualnetwork/public-ip-addresses/list */
export interface PublicIpJson {
  id?: string;
  properties?: { ipAddress?: string };
}

/**
 * Every item of an ARM list, following nextLink (absolute, as ARM sends it; given the api-version when it lacks
 * one, as the SDK's pager does). `path` is under the subscription, e.g. `/resourceGroups/{rg}/providers/...`.
 */
export async function* armList<T>(
  arm: ArmJson,
  path: string,
  apiVersion: string,
  query: Record<string, string> = {},
): AsyncGenerator<T> {
  let res = await arm
    .pathUnchecked(`/subscriptions/{subscriptionId}${path}`, arm.subscriptionId)
    .get({ queryParameters: { "api-version": apiVersion, ...query } });
  for (;;) {
    if (res.status !== "200") throw restError(res.status, res.body);
    const body = res.body as { value?: T[]; nextLink?: string | null };
    yield* body.value ?? [];
    if (!body.nextLink) return;
    const next = new URL(body.nextLink);
    if (!next.searchParams.has("api-version")) next.searchParams.set("api-version", apiVersion);
    res = await arm.pathUnchecked(next.toString()).get();
  }
}

/**
 * ARM's error body ({error: {code, message, details}}) as the SDK's RestError carries it: statusCode, code, message.
 * The details join the message: Resource Graph puts the reason there (its message is only a correlation id).
 */
export function restError(status: string, body: unknown): Error {
  const error = (
    body as { error?: { code?: string; message?: string; details?: { code?: string; message?: string }[] } }
  )?.error;
  const details = (error?.details ?? []).map((d) => `${d.code}: ${d.message}`).join("; ");
  const message = error?.message ?? `Resource Manager answered HTTP ${status}`;
  return Object.assign(new Error(details ? `${message} (${details})` : message), {
    name: "RestError",
    statusCode: Number(status),
    code: error?.code,
  });
}
