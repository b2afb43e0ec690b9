// What a local client needs to talk to the cluster: Dask's comms pickle functions and data, so the client's Python
// minor version and its dask/distributed versions must match the nodes'. The nodes run the image's python3 (the venv
// is made from it), so the image decides the Python; the spec pins Dask.
import type { ResolvedSpec } from "../spec/schema.js";

/** python3 of the image aliases the spec accepts (Ubuntu's archive: jammy 3.10, noble 3.12). */
const IMAGE_PYTHON: Record<string, string> = { "ubuntu-22.04": "3.10", "ubuntu-24.04": "3.12" };

export interface ClientContract {
  image: string;
  /** Undefined for a provider image id: whatever python3 that image has. */
  python?: string;
  dask: string;
}

export function clientContract(spec: Pick<ResolvedSpec, "image" | "dask">): ClientContract {
  const image = spec.image;
  return { image, python: IMAGE_PYTHON[image], dask: spec.dask.version };
}

export function clientContractText(c: ClientContract): string {
  const python = c.python ? `Python ${c.python}.x` : `the Python minor version of image ${c.image} (python3 on a node)`;
  return [
    `Your client needs: ${python}, dask==${c.dask} and distributed==${c.dask}`,
    `    pip install "dask[distributed]==${c.dask}"   (the snippet checks versions on connect)`,
  ].join("\n");
}

export function clientJson(c: ClientContract) {
  return { python: c.python ?? null, dask: c.dask, distributed: c.dask, image: c.image };
}
