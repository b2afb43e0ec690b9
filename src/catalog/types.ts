export interface InstanceType {
  type: string;
  vcpus: number;
  memoryGib: number;
  arch: "x86_64" | "arm64";
  accelerator: string | null;
  acceleratorCount: number;
  burstable: boolean;
  priceHourly: number;
  spotPriceHourly: number | null;
}
