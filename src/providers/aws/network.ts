// The cluster's security group: found by its tags (so a re-run never makes a second one), created in the subnet's
// VPC otherwise, and converged to: tcp 22/8786/8787 from the allowed CIDRs, all traffic between its members.
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  DeleteSecurityGroupCommand,
  DescribeSecurityGroupsCommand,
  type IpPermission,
  RevokeSecurityGroupIngressCommand,
  type SecurityGroup,
} from "@aws-sdk/client-ec2";
import { CloudError } from "../../errors.js";
import { pollUntil } from "../../wait.js";
import type { Plan } from "../../plan/types.js";
import { CLUSTER_TAG, OWNER_TAG } from "../provider.js";
import type { Ec2Api } from "./client.js";
import type { WaitOptions } from "./nodes.js";
import { foreignResource, ownedBy } from "../ownership.js";
import { ownedFilters, tagList, tagsOf } from "./tags.js";

export const groupName = (cluster: string) => `cloudlaunch-${cluster}`;

export async function findClusterGroups(api: Ec2Api, cluster: string, vpcId?: string): Promise<SecurityGroup[]> {
  const filters = [...ownedFilters(cluster), ...(vpcId ? [{ Name: "vpc-id", Values: [vpcId] }] : [])];
  const { SecurityGroups = [] } = await api.call("DescribeSecurityGroups", (ec2) =>
    ec2.send(new DescribeSecurityGroupsCommand({ Filters: filters })),
  );
  return SecurityGroups;
}

/** One atom per (port, CIDR) plus the self rule, in the shape Authorize/Revoke take. */
function wantedRules(groupId: string, plan: Plan): IpPermission[] {
  const fromCidrs = plan.firewall.tcpPorts.flatMap((port) =>
    plan.firewall.allowedCidrs.map((cidr) => ({
      IpProtocol: "tcp",
      FromPort: port,
      ToPort: port,
      ...(cidr.includes(":") ? { Ipv6Ranges: [{ CidrIpv6: cidr }] } : { IpRanges: [{ CidrIp: cidr }] }),
    })),
  );
  return [...fromCidrs, { IpProtocol: "-1", UserIdGroupPairs: [{ GroupId: groupId }] }];
}

function existingRules(group: SecurityGroup): IpPermission[] {
  return (group.IpPermissions ?? []).flatMap((p) => [
    ...(p.IpRanges ?? []).map((r) => ({
      IpProtocol: p.IpProtocol,
      FromPort: p.FromPort,
      ToPort: p.ToPort,
      IpRanges: [{ CidrIp: r.CidrIp }],
    })),
    ...(p.Ipv6Ranges ?? []).map((r) => ({
      IpProtocol: p.IpProtocol,
      FromPort: p.FromPort,
      ToPort: p.ToPort,
      Ipv6Ranges: [{ CidrIpv6: r.CidrIpv6 }],
    })),
    ...(p.UserIdGroupPairs ?? []).map((g) => ({
      IpProtocol: p.IpProtocol,
      FromPort: p.FromPort,
      ToPort: p.ToPort,
      UserIdGroupPairs: [{ GroupId: g.GroupId }],
    })),
  ]);
}

const ruleKey = (r: IpPermission) =>
  [
    r.IpProtocol,
    r.IpProtocol === "-1" ? "" : `${r.FromPort}-${r.ToPort}`,
    r.IpRanges?.[0]?.CidrIp ?? r.Ipv6Ranges?.[0]?.CidrIpv6 ?? "",
    r.UserIdGroupPairs?.[0]?.GroupId ?? "",
  ].join("|");

/**
 * The cluster's group by its name in the VPC (names are unique per VPC), checked for ownership: a same-named group
 * without our tags is someone else's and stops `up` before any change. Undefined when there is none yet.
 */
export async function observeSecurityGroup(
  api: Ec2Api,
  cluster: string,
  vpcId: string,
): Promise<SecurityGroup | undefined> {
  const filters = [
    { Name: "group-name", Values: [groupName(cluster)] },
    { Name: "vpc-id", Values: [vpcId] },
  ];
  const { SecurityGroups = [] } = await api.call("DescribeSecurityGroups", (ec2) =>
    ec2.send(new DescribeSecurityGroupsCommand({ Filters: filters })),
  );
  const [group] = SecurityGroups;
  if (group && !ownedBy(tagsOf(group), cluster)) {
    throw foreignResource(`Security group ${groupName(cluster)} (${group.GroupId}) in ${vpcId}`, cluster);
  }
  return group;
}

/**
 * Creates the group if missing, then converges its ingress to exactly the wanted atoms (Authorize the missing,
 * Revoke the stale: https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_RevokeSecurityGroupIngress.html).
 * Returns what it changed; an up-to-date group costs one Describe and no write.
 */
export async function ensureSecurityGroup(
  api: Ec2Api,
  plan: Plan,
  vpcId: string,
): Promise<{ groupId: string; changes: string[] }> {
  const changes: string[] = [];
  let group = await observeSecurityGroup(api, plan.cluster, vpcId);
  if (!group) {
    const tags = tagList({
      ...plan.spec.tags,
      Name: groupName(plan.cluster),
      [OWNER_TAG]: "true",
      [CLUSTER_TAG]: plan.cluster,
    });
    const created = await api
      .call("CreateSecurityGroup", (ec2) =>
        ec2.send(
          new CreateSecurityGroupCommand({
            GroupName: groupName(plan.cluster),
            Description: `cloudlaunch cluster ${plan.cluster}: SSH and Dask from allowed CIDRs, all traffic within the cluster`,
            VpcId: vpcId,
            TagSpecifications: [{ ResourceType: "security-group", Tags: tags }],
          }),
        ),
      )
      .catch((err: CloudError) => {
        // A concurrent run created it between our lookup and our create: look again (and check whose it is).
        if (err.code === "InvalidGroup.Duplicate") return undefined;
        throw err;
      });
    group = created?.GroupId
      ? { GroupId: created.GroupId, IpPermissions: [] }
      : await observeSecurityGroup(api, plan.cluster, vpcId);
    if (!group?.GroupId)
      throw new CloudError(`Security group ${groupName(plan.cluster)} could not be created in ${vpcId}.`, "other");
    if (created?.GroupId) changes.push(`created security group ${groupName(plan.cluster)} (${created.GroupId})`);
  }
  const groupId = group.GroupId!;
  const have = new Map(existingRules(group).map((r) => [ruleKey(r), r]));
  const want = new Map(wantedRules(groupId, plan).map((r) => [ruleKey(r), r]));
  const missing = [...want].filter(([k]) => !have.has(k)).map(([, r]) => r);
  const stale = [...have].filter(([k]) => !want.has(k)).map(([, r]) => r);
  if (missing.length) {
    await api.call("AuthorizeSecurityGroupIngress", (ec2) =>
      ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: groupId, IpPermissions: missing })),
    );
    changes.push(`security group ${groupId}: allowed ${missing.map(describeRule).join(", ")}`);
  }
  if (stale.length) {
    await api.call("RevokeSecurityGroupIngress", (ec2) =>
      ec2.send(new RevokeSecurityGroupIngressCommand({ GroupId: groupId, IpPermissions: stale })),
    );
    changes.push(`security group ${groupId}: removed ${stale.map(describeRule).join(", ")}`);
  }
  return { groupId, changes };
}

const describeRule = (r: IpPermission) =>
  r.UserIdGroupPairs?.length
    ? "all traffic within the cluster"
    : `${r.IpRanges?.[0]?.CidrIp ?? r.Ipv6Ranges?.[0]?.CidrIpv6} on ${r.IpProtocol} ${r.FromPort}`;

/** Deletes the cluster's groups, retrying DependencyViolation while its instances finish shutting down. */
export async function deleteClusterGroups(api: Ec2Api, cluster: string, wait: WaitOptions): Promise<void> {
  const deadline = Date.now() + wait.timeoutMs;
  for (const group of await findClusterGroups(api, cluster)) {
    let inUse: unknown;
    await pollUntil(
      async () => {
        try {
          await api.call("DeleteSecurityGroup", (ec2) =>
            ec2.send(new DeleteSecurityGroupCommand({ GroupId: group.GroupId })),
          );
          return true;
        } catch (err) {
          const code = (err as CloudError).code;
          if (code === "InvalidGroup.NotFound") return true;
          if (code !== "DependencyViolation") throw err;
          inUse = err;
          return undefined;
        }
      },
      {
        intervalMs: wait.pollMs,
        timeoutMs: Math.max(0, deadline - Date.now()),
        onTimeout: () => {
          throw inUse;
        },
      },
    );
  }
}
