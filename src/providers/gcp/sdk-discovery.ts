// Google's discovery-based Compute client (@googleapis/compute, v1 only) in a bundle of its own (scripts/build.mjs):
// loaded by the commands that list nodes, not by a launch's writes, which stay on @google-cloud/compute.
export { compute_v1 } from "@googleapis/compute/build/v1";
