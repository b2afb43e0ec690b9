// A VM PUT body as a caller of Virtual Machines - Create Or Update sends it (Linux, SSH key only, one NIC with a
// Standard public IP made inline, all deleted with the VM), for the fake's own tests.
// https://learn.microsoft.com/rest/api/compute/virtual-machines/create-or-update
export const exampleVm = (
  subnet: string,
  name: string,
  size = "Standard_D2s_v5",
  extra: Record<string, unknown> = {},
) => ({
  location: "eastus",
  tags: { "cloudlaunch-cluster": "c1" },
  hardwareProfile: { vmSize: size },
  storageProfile: {
    imageReference: { publisher: "Canonical", offer: "ubuntu-24_04-lts", sku: "server", version: "latest" },
    osDisk: { name: `${name}-osdisk`, createOption: "FromImage", deleteOption: "Delete", diskSizeGB: 30 },
  },
  osProfile: {
    computerName: name,
    adminUsername: "ubuntu",
    customData: Buffer.from("#cloud-config\n").toString("base64"),
    linuxConfiguration: {
      disablePasswordAuthentication: true,
      ssh: { publicKeys: [{ path: "/home/ubuntu/.ssh/authorized_keys", keyData: "ssh-ed25519 AAAA test" }] },
    },
  },
  networkProfile: {
    networkApiVersion: "2022-11-01",
    networkInterfaceConfigurations: [
      {
        name: `${name}-nic`,
        primary: true,
        deleteOption: "Delete",
        tags: { "cloudlaunch-cluster": "c1" },
        ipConfigurations: [
          {
            name: "ipconfig1",
            subnet: { id: subnet },
            primary: true,
            publicIPAddressConfiguration: {
              name: `${name}-ip`,
              sku: { name: "Standard", tier: "Regional" },
              deleteOption: "Delete",
              publicIPAllocationMethod: "Static",
              tags: { "cloudlaunch-cluster": "c1" },
            },
          },
        ],
      },
    ],
  },
  ...extra,
});
