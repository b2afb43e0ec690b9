// Spec tags/labels that would collide with cloudlaunch's own or that the cloud refuses: rejected at validation, so
// node identity and ownership never depend on a value the spec can set, and no launch fails half-way on a tag.
// AWS: keys/values must not start with aws: (any case), key <= 128, value <= 256, 50 tags per resource
//   (https://docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html#tag-conventions).
// Azure: names must not start with microsoft, azure or windows (any case) nor contain < > % & \ ? /; name <= 512,
//   value <= 256, 50 tags (https://learn.microsoft.com/azure/azure-resource-manager/management/tag-resources#limitations).
// GCP labels: key [\p{Ll}\p{Lo}][\p{Ll}\p{Lo}\p{N}_-]{0,62}, value [\p{Ll}\p{Lo}\p{N}_-]{0,63}, 64 labels
//   (https://cloud.google.com/compute/docs/labeling-resources#requirements).
import type { ProviderName } from "./schema.js";
import type { Finding } from "./checks.js";

const OURS = /^cloudlaunch-/i;
/** Keys cloudlaunch sets on every resource or node (ownership, cluster, role, node or batch name, AWS Name). */
const OUR_KEY_COUNT: Record<ProviderName, number> = { aws: 5, azure: 4, gcp: 4 };
const LIMIT: Record<ProviderName, number> = { aws: 50, azure: 50, gcp: 64 };

function providerProblem(provider: ProviderName, key: string, value: string): string | undefined {
  switch (provider) {
    case "aws":
      if (/^aws:/i.test(key) || /^aws:/i.test(value)) return "the aws: prefix is reserved by AWS (keys and values)";
      if (key === "Name") return "Name is set by cloudlaunch to each node's name";
      if (key.length > 128) return "AWS tag keys are at most 128 characters";
      if (value.length > 256) return "AWS tag values are at most 256 characters";
      return undefined;
    case "azure":
      if (/^(microsoft|azure|windows)/i.test(key))
        return "tag names starting with microsoft, azure or windows are reserved by Azure";
      if (/[<>%&\\?/]/.test(key)) return "Azure tag names cannot contain < > % & \\ ? /";
      if (key.length > 512) return "Azure tag names are at most 512 characters";
      if (value.length > 256) return "Azure tag values are at most 256 characters";
      return undefined;
    case "gcp":
      return undefined; // rewritten to a valid label instead: see gcpRewrites
  }
}

// The GCP driver lowercases and replaces what labels cannot hold (src/providers/gcp/resources.ts labelKey): said as
// a warning; two keys that become one label would silently lose a value, so that is an error.
const gcpKey = (key: string) => {
  const k = key.toLowerCase().replace(/[^a-z0-9_-]/g, "_");
  return (/^[a-z]/.test(k) ? k : `t_${k}`).slice(0, 63);
};

function gcpRewrites(entries: [string, unknown][]): Finding[] {
  const found: Finding[] = [];
  const seen = new Map<string, string>();
  for (const [key, value] of entries) {
    const label = gcpKey(key);
    const other = seen.get(label);
    if (other !== undefined)
      found.push({
        path: ["tags", key],
        message: `becomes the same GCP label key "${label}" as tag "${other}"; rename one`,
      });
    seen.set(label, key);
    const validValue = typeof value !== "string" || /^[a-z0-9_-]{0,63}$/.test(value);
    if (label !== key || !validValue) {
      found.push({
        path: ["tags", key],
        warning: true,
        message:
          "GCP labels hold only lowercase letters, digits, _ and - (keys start with a letter, 63 at most): it is stored rewritten",
      });
    }
  }
  return found;
}

export function tagFindings(provider: ProviderName, tags: unknown): Finding[] {
  if (!tags || typeof tags !== "object" || Array.isArray(tags)) return [];
  const found: Finding[] = [];
  const entries = Object.entries(tags as Record<string, unknown>);
  for (const [key, value] of entries) {
    if (OURS.test(key)) {
      found.push({
        path: ["tags", key],
        message: `the cloudlaunch- prefix is reserved for cloudlaunch's ownership tags; choose another key`,
      });
      continue;
    }
    const problem = typeof value === "string" ? providerProblem(provider, key, value) : undefined;
    if (problem) found.push({ path: ["tags", key], message: `${problem}; choose another key or value` });
  }
  if (provider === "gcp") found.push(...gcpRewrites(entries.filter(([key]) => !OURS.test(key))));
  const room = LIMIT[provider] - OUR_KEY_COUNT[provider];
  if (entries.length > room) {
    found.push({
      path: ["tags"],
      message: `${entries.length} tags; ${provider} allows ${LIMIT[provider]} per resource and cloudlaunch uses ${OUR_KEY_COUNT[provider]}, so at most ${room}`,
    });
  }
  return found;
}
