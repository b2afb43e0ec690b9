// A throwaway self-signed certificate for 127.0.0.1: the Azure SDK's bearer-token policy refuses plain http, so the
// fake Resource Manager speaks https. The certificate file is what NODE_EXTRA_CA_CERTS points a spawned CLI at.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface Throwaway {
  key: string;
  cert: string;
  certFile: string;
  dispose(): void;
}

export function throwawayCertificate(): Throwaway {
  const dir = mkdtempSync(join(tmpdir(), "fake-azure-tls-"));
  const keyFile = join(dir, "key.pem");
  const certFile = join(dir, "cert.pem");
  // @peculiar/x509 needs a reflect-metadata polyfill that is not installed; the openssl binary does the job.
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-keyout",
      keyFile,
      "-out",
      certFile,
      "-days",
      "2",
      "-subj",
      "/CN=127.0.0.1",
      "-addext",
      "subjectAltName=IP:127.0.0.1",
      "-addext",
      "basicConstraints=critical,CA:TRUE",
    ],
    { stdio: "pipe" },
  );
  return {
    key: readFileSync(keyFile, "utf8"),
    cert: readFileSync(certFile, "utf8"),
    certFile,
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}
