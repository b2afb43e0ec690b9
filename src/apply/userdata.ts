// Cloud-init user data for each planned node. Placeholder until the Dask bootstrap (templates/) lands.
import type { Plan } from "../plan/types.js";
import type { UserDataFor } from "./up.js";

export function userDataRenderer(plan: Plan): UserDataFor {
  return (node, schedulerIp) =>
    `#cloud-config\n# cloudlaunch ${plan.cluster} ${node.name} ${node.role}${schedulerIp ? ` scheduler=${schedulerIp}` : ""}\n`;
}
