// Playing a VM in a test: the rendered files are written under a temp root instead of /, so the venv the scripts
// make must live there too; and a wheel to stand for a pip package, installable without an index.
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PYTHON, SYSTEM_PATH } from "./tools.js";

export function installedDaskRelease(): string {
  return execFileSync(PYTHON, ["-c", "import distributed; print(distributed.__version__.split('+')[0])"], {
    env: { PATH: SYSTEM_PATH },
  })
    .toString()
    .trim();
}

/** Points the node's CLOUDLAUNCH_VENV (/opt/cloudlaunch/venv on a VM) into `root`. */
export function relocateVenv(root: string): void {
  const file = join(root, "etc/cloudlaunch/cloudlaunch.env");
  const text = readFileSync(file, "utf8");
  writeFileSync(
    file,
    text.replace(/^CLOUDLAUNCH_VENV=.*$/m, `CLOUDLAUNCH_VENV='${join(root, "opt/cloudlaunch/venv")}'`),
  );
}

/** Sets a value of the node's settings as the cloud would give it (e.g. the node name its hostname carries). */
export function setSetting(root: string, name: string, value: string): void {
  const file = join(root, "etc/cloudlaunch/cloudlaunch.env");
  writeFileSync(file, readFileSync(file, "utf8").replace(new RegExp(`^${name}=.*$`, "m"), `${name}='${value}'`));
}

/** A pure-Python wheel with one module, built with zipfile (no setuptools, no index). Returns its path. */
export function writeWheel(dir: string, name: string, version: string): string {
  const script = `
import base64, hashlib, sys, zipfile
d, name, ver = sys.argv[1:]
info = f"{name}-{ver}.dist-info"
files = {
    f"{name}/__init__.py": "VALUE = 1\\n",
    f"{info}/METADATA": f"Metadata-Version: 2.1\\nName: {name}\\nVersion: {ver}\\n",
    f"{info}/WHEEL": "Wheel-Version: 1.0\\nGenerator: cloudlaunch-test\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n",
}
digest = lambda t: base64.urlsafe_b64encode(hashlib.sha256(t.encode()).digest()).rstrip(b"=").decode()
record = "".join(f"{p},sha256={digest(t)},{len(t.encode())}\\n" for p, t in files.items()) + f"{info}/RECORD,,\\n"
path = f"{d}/{name}-{ver}-py3-none-any.whl"
with zipfile.ZipFile(path, "w") as z:
    for p, t in {**files, f"{info}/RECORD": record}.items():
        z.writestr(p, t)
print(path)
`;
  return execFileSync(PYTHON, ["-c", script, dir, name, version], { env: { PATH: SYSTEM_PATH } })
    .toString()
    .trim();
}
