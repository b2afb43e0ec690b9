// Microsoft.Network in the fake: virtual networks with their subnets, network security groups, public IP addresses
// and network interfaces. NICs and public IPs are normally created by a VM's inline networkInterfaceConfigurations
// (see compute.ts); a delete of something still in use fails as ARM's does, which catches wrong teardown order.
// REST reference: https://learn.microsoft.com/rest/api/virtualnetwork/
import type { ArmResource } from "./state.js";
import { ArmError, asyncHeaders, notFound } from "./wire.js";
import { acceptDelete, getOfType, listOfType, requireGroup, view, type Ctx, type Reply } from "./resources.js";

export const NETWORK = "Microsoft.Network";
export const VNET = "Microsoft.Network/virtualNetworks";
export const NSG = "Microsoft.Network/networkSecurityGroups";
export const PIP = "Microsoft.Network/publicIPAddresses";
export const NIC = "Microsoft.Network/networkInterfaces";
const TYPES: Record<string, string> = {
  virtualnetworks: VNET,
  networksecuritygroups: NSG,
  publicipaddresses: PIP,
  networkinterfaces: NIC,
};

export interface NetworkPath {
  rg: string;
  type: string;
  name?: string;
  child?: string;
  childName?: string;
  method: string;
  body: any;
}

export function handleNetwork(ctx: Ctx, p: NetworkPath): Reply {
  const type = TYPES[p.type.toLowerCase()];
  if (!type)
    throw new ArmError(
      400,
      "InvalidResourceType",
      `The resource type '${p.type}' could not be found in the namespace '${NETWORK}'.`,
    );
  if (!p.name) {
    if (p.method !== "GET") throw new ArmError(405, "MethodNotAllowed", `${p.method} is not allowed here.`);
    return listOfType(ctx, p.rg, type);
  }
  const group = requireGroup(ctx, p.rg);
  const id = `${group.id}/providers/${type}/${p.name}`;
  if (p.child) {
    if (type === NSG && p.child.toLowerCase() === "securityrules" && p.childName) {
      return securityRule(getOfType(ctx, id, NSG), p.childName, p.method, p.body);
    }
    if (type !== VNET || p.child.toLowerCase() !== "subnets" || !p.childName) throw notFound(`${id}/${p.child}`);
    return subnet(ctx, getOfType(ctx, id, VNET), p.childName, p.method, p.body);
  }
  switch (p.method) {
    case "GET":
      return { status: 200, body: view(getOfType(ctx, id, type)) };
    case "PUT":
      return put(ctx, group, type, id, p.name, p.body);
    case "DELETE": {
      const res = ctx.state.get(id);
      if (!res) return { status: 204 };
      assertDeletable(ctx, res);
      return acceptDelete(ctx, res, NETWORK);
    }
  }
  throw new ArmError(405, "MethodNotAllowed", `${p.method} is not allowed on ${type}.`);
}

function put(ctx: Ctx, group: ArmResource, type: string, id: string, name: string, body: any): Reply {
  if (!body?.location)
    throw new ArmError(400, "LocationRequired", "The location property is required for this definition.");
  const existing = ctx.state.get(id);
  if (existing?.deleteAt !== undefined)
    throw new ArmError(409, "AnotherOperationInProgress", `Resource ${id} is being deleted.`);
  const now = Date.now();
  const res: ArmResource = {
    id,
    name,
    type,
    location: body.location,
    resourceGroup: group.name,
    tags: body.tags ?? {},
    properties: shapeProperties(ctx, type, id, body),
    createdAt: existing?.createdAt ?? now,
    readyAt: now + ctx.transitionMs,
    updating: !!existing,
    sku: body.sku,
  };
  ctx.state.put(res);
  const op = ctx.state.startOperation(ctx.transitionMs);
  const { "azure-asyncoperation": asyncOp } = asyncHeaders(ctx.state, op, ctx.baseUrl, NETWORK, ctx.apiVersion);
  return {
    status: existing ? 200 : 201,
    body: view(res),
    headers: { "azure-asyncoperation": asyncOp, "retry-after": "0" },
  };
}

/** Fills in what ARM computes: child ids, default NSG rules, a public IP's address, a NIC's private address. */
function shapeProperties(ctx: Ctx, type: string, id: string, body: any): Record<string, any> {
  const props = structuredClone(body.properties ?? {});
  if (type === VNET) {
    props.subnets = (props.subnets ?? []).map((s: any) => ({
      ...s,
      id: `${id}/subnets/${s.name}`,
      properties: { ...s.properties, provisioningState: "Succeeded" },
    }));
  }
  if (type === NSG) {
    props.securityRules = (props.securityRules ?? []).map((r: any) => ({ ...r, id: `${id}/securityRules/${r.name}` }));
    props.defaultSecurityRules = DEFAULT_RULES.map((r) => ({ ...r, id: `${id}/defaultSecurityRules/${r.name}` }));
  }
  if (type === PIP) {
    if (body.sku?.name !== "Standard") {
      throw new ArmError(
        400,
        "BasicSkuPublicIpNotAllowed",
        "Basic SKU public IP addresses were retired on 30 September 2025; use the Standard SKU.",
      );
    }
    props.publicIPAllocationMethod = "Static";
    props.ipAddress = ctx.state.publicIps.next();
  }
  if (type === NIC) {
    props.ipConfigurations = (props.ipConfigurations ?? []).map((c: any) => ({
      ...c,
      id: `${id}/ipConfigurations/${c.name}`,
      properties: {
        ...c.properties,
        privateIPAddress: privateIpFor(ctx, c.properties?.subnet?.id),
        privateIPAllocationMethod: "Dynamic",
      },
    }));
  }
  return props;
}

export function privateIpFor(ctx: Ctx, subnetId: string | undefined): string {
  const sub = subnetId ? findSubnet(ctx, subnetId) : undefined;
  if (!sub)
    throw new ArmError(
      400,
      "InvalidResourceReference",
      `Resource ${subnetId} referenced by the request was not found.`,
    );
  return ctx.state.nextPrivateIp(sub.properties?.addressPrefix ?? "10.0.0.0/24");
}

export function findSubnet(ctx: Ctx, subnetId: string): any {
  const m = /^(.*\/virtualNetworks\/[^/]+)\/subnets\/([^/]+)$/i.exec(subnetId);
  const vnet = m && ctx.state.get(m[1]);
  if (!vnet || vnet.deleteAt !== undefined) return undefined;
  return (vnet.properties.subnets ?? []).find((s: any) => s.name.toLowerCase() === m![2].toLowerCase());
}

function subnet(_ctx: Ctx, vnet: ArmResource, name: string, method: string, body: any): Reply {
  const subnets: any[] = vnet.properties.subnets ?? (vnet.properties.subnets = []);
  const found = subnets.find((s) => s.name.toLowerCase() === name.toLowerCase());
  if (method === "GET") {
    if (!found) throw notFound(`${vnet.id}/subnets/${name}`);
    return { status: 200, body: { ...found, type: `${VNET}/subnets` } };
  }
  if (method === "PUT") {
    const entry = {
      name,
      id: `${vnet.id}/subnets/${name}`,
      properties: { ...body?.properties, provisioningState: "Succeeded" },
    };
    if (found) subnets.splice(subnets.indexOf(found), 1, entry);
    else subnets.push(entry);
    return { status: found ? 200 : 201, body: { ...entry, type: `${VNET}/subnets` } };
  }
  throw new ArmError(405, "MethodNotAllowed", `${method} is not allowed on subnets in this fake.`);
}

// One rule of an NSG as its own child resource: PUT replaces the rule of that name (priority must stay unique per
// direction), DELETE removes it. https://learn.microsoft.com/rest/api/virtualnetwork/security-rules/create-or-update
function securityRule(nsg: ArmResource, name: string, method: string, body: any): Reply {
  nsg.properties.securityRules ??= [];
  const rules: any[] = nsg.properties.securityRules;
  const found = rules.find((r) => r.name.toLowerCase() === name.toLowerCase());
  const id = `${nsg.id}/securityRules/${name}`;
  if (method === "GET") {
    if (!found) throw notFound(id);
    return { status: 200, body: { ...found, type: `${NSG}/securityRules` } };
  }
  if (method === "DELETE") {
    if (!found) return { status: 204 };
    rules.splice(rules.indexOf(found), 1);
    return { status: 200 };
  }
  if (method === "PUT") {
    const props = body?.properties ?? {};
    for (const field of ["access", "direction", "priority", "protocol"]) {
      if (props[field] === undefined)
        throw new ArmError(
          400,
          "InvalidRequestFormat",
          `Missing required property '${field}' of security rule ${name}.`,
        );
    }
    const clash = rules.find(
      (r) => r !== found && r.properties?.priority === props.priority && r.properties?.direction === props.direction,
    );
    if (clash)
      throw new ArmError(
        400,
        "SecurityRuleConflict",
        `Security rule ${name} conflicts with rule ${clash.name}: rules cannot have the same priority and direction.`,
      );
    const entry = { name, id, properties: { ...props, provisioningState: "Succeeded" } };
    if (found) rules.splice(rules.indexOf(found), 1, entry);
    else rules.push(entry);
    return { status: found ? 200 : 201, body: { ...entry, type: `${NSG}/securityRules` } };
  }
  throw new ArmError(405, "MethodNotAllowed", `${method} is not allowed on security rules.`);
}

function assertDeletable(ctx: Ctx, res: ArmResource) {
  const live = (t: string) => ctx.state.all().filter((r) => r.type === t && r.deleteAt === undefined);
  if (res.type === NIC && res.properties.virtualMachine) {
    throw new ArmError(
      400,
      "NicInUse",
      `Network Interface ${res.id} is used by existing resource ${res.properties.virtualMachine.id}.`,
    );
  }
  if (
    res.type === PIP &&
    res.properties.ipConfiguration &&
    ctx.state.get(res.properties.ipConfiguration.id.split("/ipConfigurations/")[0])
  ) {
    throw new ArmError(
      400,
      "PublicIPAddressCannotBeDeleted",
      `Public IP address ${res.id} can not be deleted since it is still allocated to resource ${res.properties.ipConfiguration.id}.`,
    );
  }
  if (
    res.type === NSG &&
    live(NIC).some((n) => n.properties.networkSecurityGroup?.id?.toLowerCase() === res.id.toLowerCase())
  ) {
    throw new ArmError(
      400,
      "InUseNetworkSecurityGroupCannotBeDeleted",
      `Network security group ${res.id} cannot be deleted because it is in use.`,
    );
  }
  if (res.type === VNET) {
    const prefix = `${res.id.toLowerCase()}/subnets/`;
    const user = live(NIC).find((n) =>
      (n.properties.ipConfigurations ?? []).some((c: any) =>
        c.properties?.subnet?.id?.toLowerCase().startsWith(prefix),
      ),
    );
    if (user)
      throw new ArmError(
        400,
        "InUseSubnetCannotBeDeleted",
        `Subnet of ${res.id} is in use by ${user.id} and cannot be deleted.`,
      );
  }
}

// The rules every NSG carries: https://learn.microsoft.com/azure/virtual-network/network-security-groups-overview#default-security-rules
const rule = (name: string, priority: number, direction: string, access: string, src: string, dst: string) => ({
  name,
  properties: {
    protocol: "*",
    sourcePortRange: "*",
    destinationPortRange: "*",
    sourceAddressPrefix: src,
    destinationAddressPrefix: dst,
    access,
    priority,
    direction,
  },
});
const DEFAULT_RULES = [
  rule("AllowVnetInBound", 65000, "Inbound", "Allow", "VirtualNetwork", "VirtualNetwork"),
  rule("AllowAzureLoadBalancerInBound", 65001, "Inbound", "Allow", "AzureLoadBalancer", "*"),
  rule("DenyAllInBound", 65500, "Inbound", "Deny", "*", "*"),
  rule("AllowVnetOutBound", 65000, "Outbound", "Allow", "VirtualNetwork", "VirtualNetwork"),
  rule("AllowInternetOutBound", 65001, "Outbound", "Allow", "*", "Internet"),
  rule("DenyAllOutBound", 65500, "Outbound", "Deny", "*", "*"),
];
