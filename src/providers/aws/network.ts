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
import type { Plan } from "../../plan/types.js";
import { CLUSTER_TAG, OWNER_TAG } from "../provider.js";
import type { Ec2Api } from "./client.js";
import type { WaitOptions } from "./nodes.js";
import { ownedFilters, tagList } from "./tags.js";

export const groupName = (cluster: string) => `cloudlaunch-${cluster}`;

export async function findClusterGroups(api: Ec2Api, cluster: string, vpcId?: string): Promise<SecurityGroup[]> {
  const filters = [...ownedFilters(cluster), ...(vpcId ? [{ Name: "vpc-id", Values: [vpcId] }] : [])];
  const { SecurityGroups = [] } = await api.call("DescribeSecurityGroups", (ec2) => ec2.send(new DescribeSecurityGroupsCommand({ Filters: filters })));
  return SecurityGroups;
}

/** One atom per (port, CIDR) plus the self rule, in the shape Authorize/Revoke take. */
function wantedRules(groupId: string, plan: Plan): IpPermission[] {
  const fromCidrs = plan.firewall.tcpPorts.flatMap((port) =>
    plan.firewall.allowedCidrs.map((cidr) => ({ IpProtocol: "tcp", FromPort: port, ToPort: port, IpRanges: [{ CidrIp: cidr }] })),
  );
  return [...fromCidrs, { IpProtocol: "-1", UserIdGroupPairs: [{ GroupId: groupId }] }];
}

function existingRules(group: SecurityGroup): IpPermission[] {
  return (group.IpPermissions ?? []).flatMap((p) => [
    ...(p.IpRanges ?? []).map((r) => ({ IpProtocol: p.IpProtocol, FromPort: p.FromPort, ToPort: p.ToPort, IpRanges: [{ CidrIp: r.CidrIp }] })),
    ...(p.UserIdGroupPairs ?? []).map((g) => ({ IpProtocol: p.IpProtocol, UserIdGroupPairs: [{ GroupId: g.GroupId }] })),
  ]);
}

const ruleKey = (r: IpPermission) =>
  [r.IpProtocol, r.IpProtocol === "-1" ? "" : `${r.FromPort}-${r.ToPort}`, r.IpRanges?.[0]?.CidrIp ?? "", r.UserIdGroupPairs?.[0]?.GroupId ?? ""].join("|");

export async function ensureSecurityGroup(api: Ec2Api, plan: Plan, vpcId: string): Promise<string> {
  let [group] = await findClusterGroups(api, plan.cluster, vpcId);
  if (!group) {
    const tags = tagList({ ...(plan.spec.tags ?? {}), Name: groupName(plan.cluster), [OWNER_TAG]: "true", [CLUSTER_TAG]: plan.cluster });
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
        // A concurrent run created it between our lookup and our create: use theirs if it is ours.
        if (err.code === "InvalidGroup.Duplicate") return undefined;
        throw err;
      });
    [group] = created?.GroupId ? [{ GroupId: created.GroupId, IpPermissions: [] }] : await findClusterGroups(api, plan.cluster, vpcId);
    if (!group?.GroupId) {
      throw new CloudError(
        `A security group named ${groupName(plan.cluster)} exists in ${vpcId} without cloudlaunch's tags; delete or rename it.`,
        "invalid",
        "InvalidGroup.Duplicate",
      );
    }
  }
  const groupId = group.GroupId!;
  const have = new Map(existingRules(group).map((r) => [ruleKey(r), r]));
  const want = new Map(wantedRules(groupId, plan).map((r) => [ruleKey(r), r]));
  const missing = [...want].filter(([k]) => !have.has(k)).map(([, r]) => r);
  const stale = [...have].filter(([k]) => !want.has(k)).map(([, r]) => r);
  if (missing.length) {
    await api.call("AuthorizeSecurityGroupIngress", (ec2) => ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: groupId, IpPermissions: missing })));
  }
  if (stale.length) {
    await api.call("RevokeSecurityGroupIngress", (ec2) => ec2.send(new RevokeSecurityGroupIngressCommand({ GroupId: groupId, IpPermissions: stale })));
  }
  return groupId;
}

/** Deletes the cluster's groups, retrying DependencyViolation while its instances finish shutting down. */
export async function deleteClusterGroups(api: Ec2Api, cluster: string, wait: WaitOptions): Promise<void> {
  const deadline = Date.now() + wait.timeoutMs;
  for (const group of await findClusterGroups(api, cluster)) {
    for (;;) {
      try {
        await api.call("DeleteSecurityGroup", (ec2) => ec2.send(new DeleteSecurityGroupCommand({ GroupId: group.GroupId })));
        break;
      } catch (err) {
        const code = (err as CloudError).code;
        if (code === "InvalidGroup.NotFound") break;
        if (code !== "DependencyViolation" || Date.now() > deadline) throw err;
        await new Promise((r) => setTimeout(r, wait.pollMs));
      }
    }
  }
}
