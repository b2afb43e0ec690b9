// The AWS driver: the Provider verbs on EC2, through @aws-sdk/client-ec2. Loaded lazily by src/providers/index.ts.
import {
  CreateSecurityGroupCommand,
  CreateTagsCommand,
  DeleteSecurityGroupCommand,
  DescribeSecurityGroupsCommand,
  paginateDescribeVolumes,
  RunInstancesCommand,
  type Volume,
} from "@aws-sdk/client-ec2";
import type { Plan } from "../../plan/types.js";
import {
  SCHEDULER_IP_KEY,
  type LaunchedNode,
  type LaunchRequest,
  type Leftover,
  type Mutation,
  type NodeInfo,
  type NodeResult,
  type Progress,
  type Provider,
  type ProviderTarget,
} from "../provider.js";
import { Ec2Api } from "./client.js";
import { consoleOutput } from "./console.js";
import { launchNodes } from "./launch.js";
import { ACTION_OF, changeState, chunks, sendLifecycle, type Verb } from "./lifecycle.js";
import { describeOwned, LIVE_STATES, listNodes, type WaitOptions } from "./nodes.js";
import {
  deleteClusterGroups,
  ensureSecurityGroup,
  findClusterGroups,
  groupName,
  observeSecurityGroup,
} from "./network.js";
import { checkQuotas } from "./quotas.js";
import { spotPrices } from "./spot-prices.js";
import type { LiveSpotPrices } from "../../plan/live-prices.js";
import { nodeNameOf, ownedFilters } from "./tags.js";
import { type LaunchTarget, resolveTarget } from "./target.js";
import type { Settings } from "../../settings.js";

/** What the AWS driver reads of the settings. */
type AwsDriverSettings = Pick<Settings, "env" | "aws" | "skipQuotaCheck" | "catalogDir">;

export class AwsProvider implements Provider {
  readonly name = "aws" as const;
  private readonly api: Ec2Api;
  private readonly wait: WaitOptions;
  /** Resolved once per cluster by preflight (or the first launch) and reused by launch and the dry-run checks. */
  private readonly targets = new Map<string, Promise<LaunchTarget>>();
  private readonly groups = new Map<string, string>();

  constructor(
    readonly region: string,
    private readonly settings: AwsDriverSettings,
  ) {
    this.api = new Ec2Api(region, settings);
    this.wait = settings.aws.wait;
  }

  private target(plan: Plan): Promise<LaunchTarget> {
    let t = this.targets.get(plan.cluster);
    if (!t) {
      t = resolveTarget(this.api, plan);
      t.catch(() => this.targets.delete(plan.cluster));
      this.targets.set(plan.cluster, t);
    }
    return t;
  }

  listNodes(cluster?: string): Promise<NodeInfo[]> {
    return listNodes(this.api, cluster);
  }

  async preflight(plan: Plan): Promise<void> {
    const { vpcId } = await this.target(plan);
    await observeSecurityGroup(this.api, plan.cluster, vpcId);
    if (!this.settings.skipQuotaCheck) await checkQuotas(this.api, plan);
  }

  spotPrices(types: string[]): Promise<LiveSpotPrices | undefined> {
    return spotPrices(this.api, types);
  }

  async ensureNetwork(plan: Plan): Promise<string[]> {
    const { vpcId } = await this.target(plan);
    const { groupId, changes } = await ensureSecurityGroup(this.api, plan, vpcId);
    this.groups.set(plan.cluster, groupId);
    return changes;
  }

  async launch(plan: Plan, requests: LaunchRequest[], progress: Progress): Promise<LaunchedNode[]> {
    if (!requests.length) return [];
    const target = await this.target(plan);
    if (!this.groups.has(plan.cluster)) await this.ensureNetwork(plan);
    const ctx = {
      api: this.api,
      plan,
      target,
      groupId: this.groups.get(plan.cluster)!,
      wait: this.wait,
      exhausted: new Set<string>(),
    };
    return launchNodes(ctx, requests, progress);
  }

  start(nodes: NodeInfo[], progress: Progress): Promise<NodeResult[]> {
    return changeState(this.api, "start", nodes, progress, this.wait);
  }

  stop(nodes: NodeInfo[], progress: Progress): Promise<NodeResult[]> {
    return changeState(this.api, "stop", nodes, progress, this.wait);
  }

  terminate(nodes: NodeInfo[], progress: Progress): Promise<NodeResult[]> {
    return changeState(this.api, "terminate", nodes, progress, this.wait);
  }

  async deleteClusterResources(cluster: string): Promise<void> {
    await deleteClusterGroups(this.api, cluster, this.wait);
    this.groups.delete(cluster);
  }

  /** A tag, read by the worker through IMDS (RunInstances enables InstanceMetadataTags); 1000 resources a call. */
  async setSchedulerAddress(workers: NodeInfo[], address: string): Promise<void> {
    const tags = [{ Key: SCHEDULER_IP_KEY, Value: address }];
    for (const ids of chunks(
      workers.map((n) => n.id),
      1000,
    )) {
      await this.api.call("CreateTags", (ec2) => ec2.send(new CreateTagsCommand({ Resources: ids, Tags: tags })));
    }
  }

  async leftovers(cluster: string): Promise<Leftover[]> {
    const instances = await describeOwned(this.api, cluster, [{ Name: "instance-state-name", Values: LIVE_STATES }]);
    const volumes = await this.api.call("DescribeVolumes", async (ec2) => {
      const out: Volume[] = [];
      for await (const page of paginateDescribeVolumes(
        { client: ec2, pageSize: 500 },
        { Filters: ownedFilters(cluster) },
      ))
        out.push(...(page.Volumes ?? []));
      return out;
    });
    const groups = await findClusterGroups(this.api, cluster);
    return [
      ...instances.map((i) => `instance ${i.InstanceId} (${nodeNameOf(i) ?? "unnamed"}, ${i.State?.Name})`),
      ...volumes.map((v) => `volume ${v.VolumeId}`),
      ...groups.map((g) => `security group ${g.GroupId} (${g.GroupName})`),
    ];
  }

  async checkMutation(m: Mutation): Promise<void> {
    const api = this.api;
    switch (m.kind) {
      case "ensureNetwork": {
        const vpcId = await this.targets.get(m.cluster)?.then((t) => t.vpcId);
        const input = {
          GroupName: groupName(m.cluster),
          Description: "cloudlaunch permission check",
          VpcId: vpcId,
          DryRun: true,
        };
        return api.dryRun("CreateSecurityGroup", (ec2) => ec2.send(new CreateSecurityGroupCommand(input)));
      }
      case "launch": {
        const first = m.requests[0];
        const target = await this.targets.get(m.cluster);
        // Without a resolved target (preflight did not run) there is no image or subnet to ask about.
        if (!first || !target) return;
        const input = {
          ImageId: target.image.id,
          InstanceType: first.candidates[0]?.type as RunInstancesCommand["input"]["InstanceType"],
          MinCount: 1,
          MaxCount: 1,
          NetworkInterfaces: [{ DeviceIndex: 0, SubnetId: target.subnets[0].id, AssociatePublicIpAddress: true }],
          DryRun: true,
        };
        return api.dryRun("RunInstances", (ec2) => ec2.send(new RunInstancesCommand(input)));
      }
      case "deleteClusterResources": {
        const { SecurityGroups = [] } = await api.call("DescribeSecurityGroups", (ec2) =>
          ec2.send(new DescribeSecurityGroupsCommand({ Filters: ownedFilters(m.cluster) })),
        );
        for (const g of SecurityGroups) {
          await api.dryRun("DeleteSecurityGroup", (ec2) =>
            ec2.send(new DeleteSecurityGroupCommand({ GroupId: g.GroupId, DryRun: true })),
          );
        }
        return;
      }
      case "setSchedulerAddress": {
        const input = {
          Resources: m.nodes.slice(0, 1).map((n) => n.id),
          Tags: [{ Key: SCHEDULER_IP_KEY, Value: m.address }],
          DryRun: true,
        };
        return api.dryRun("CreateTags", (ec2) => ec2.send(new CreateTagsCommand(input)));
      }
      default:
        for (const ids of chunks(m.nodes.map((n) => n.id))) {
          await api.dryRun(ACTION_OF[m.kind], (ec2) => sendLifecycle(ec2, m.kind as Verb, ids, true));
        }
    }
  }

  consoleOutput(node: NodeInfo): Promise<string> {
    return consoleOutput(this.api, node);
  }

  async close(): Promise<void> {
    this.api.destroy();
  }
}

export async function createProvider(target: ProviderTarget, settings: AwsDriverSettings): Promise<Provider> {
  return new AwsProvider(target.region, settings);
}
