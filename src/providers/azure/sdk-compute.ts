// Microsoft.Compute's SDK in a bundle of its own (scripts/build.mjs): loaded by the first command that reads or
// writes a VM, not by a `status` of a cluster the resource group does not hold.
export { ComputeManagementClient } from "@azure/arm-compute";
