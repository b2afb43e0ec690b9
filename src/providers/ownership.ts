// The ownership rule shared by every driver: cloudlaunch changes or deletes a resource only when it carries the
// ownership tag/label (or, where a resource takes none, the description mark) AND this cluster's tag. A same-named
// resource without them belongs to someone else: `up` stops before its first change and says what to do.
import { CloudError } from "../errors.js";
import { CLUSTER_TAG, OWNER_TAG } from "./provider.js";

export function ownedBy(tags: Record<string, string | undefined> | undefined, cluster: string): boolean {
  return tags?.[OWNER_TAG] === "true" && tags?.[CLUSTER_TAG] === cluster;
}

/** `what` names the resource as the user finds it in the console, e.g. "security group cloudlaunch-demo (sg-1) in vpc-2". */
export function foreignResource(
  what: string,
  cluster: string,
  mark = `the tags ${OWNER_TAG}=true and ${CLUSTER_TAG}=${cluster}`,
): CloudError {
  return new CloudError(
    `${what} already exists and was not made by cloudlaunch for cluster ${cluster} (it lacks ${mark}). ` +
      "Nothing was changed. Rename the cluster (`name:` in the spec), or delete or rename that resource, " +
      "or — only if it really belongs to this cluster — add those marks to it; then run up again.",
    "invalid",
    "ForeignResource",
  );
}
