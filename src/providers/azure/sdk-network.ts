// Microsoft.Network's SDK in a bundle of its own (1.2 MB of the Azure driver's 1.9, scripts/build.mjs): loaded by
// the first command that reads or writes a NIC, address, NSG or subnet, not by one that finds nothing to read.
export { NetworkManagementClient } from "@azure/arm-network";
