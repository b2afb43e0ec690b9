// Boot diagnostics: POST .../virtualMachines/{vm}/retrieveBootDiagnosticsData answers SAS URIs of the screenshot and
// the serial console log (RetrieveBootDiagnosticsDataResult: consoleScreenshotBlobUri, serialConsoleLogBlobUri;
// sasUriExpirationTimeInMinutes 1-1440, default 120), and the log blob is then read with a plain GET of that URI.
// https://learn.microsoft.com/rest/api/compute/virtual-machines/retrieve-boot-diagnostics-data
// With managed boot diagnostics (diagnosticsProfile.bootDiagnostics.enabled and no storageUri) the blob lives in
// storage Azure manages; here it is served by this same server under /bootdiagnostics/, signed like a SAS.
import { createHmac, randomBytes } from "node:crypto";
import type { ServerResponse } from "node:http";
import type { ConsoleLogs } from "../console.js";
import type { ArmResource } from "./state.js";
import { ArmError } from "./wire.js";
import type { Ctx, Reply } from "./resources.js";

const SIGNING_KEY = randomBytes(32);
const sign = (path: string, expiry: string) =>
  createHmac("sha256", SIGNING_KEY).update(`${path}\n${expiry}`).digest("base64url");

// The error for a VM without boot diagnostics is not documented (Get-AzVMBootDiagnosticsData says "no diagnostic
// profile enabled"); the fake refuses with a 409 OperationNotAllowed as a stand-in.
export function retrieveBootDiagnosticsData(ctx: Ctx, vm: ArmResource): Reply {
  if (vm.properties.diagnosticsProfile?.bootDiagnostics?.enabled !== true) {
    throw new ArmError(
      409,
      "OperationNotAllowed",
      `Boot diagnostics is not enabled for the virtual machine '${vm.name}'.`,
    );
  }
  const minutes = Number(ctx.url.searchParams.get("sasUriExpirationTimeInMinutes") ?? 120);
  if (!Number.isInteger(minutes) || minutes < 1 || minutes > 1440) {
    throw new ArmError(400, "InvalidParameter", "sasUriExpirationTimeInMinutes must be between 1 and 1440.");
  }
  const expiry = new Date(Date.now() + minutes * 60_000).toISOString();
  const uri = (file: string) => {
    const path = `/bootdiagnostics/${vm.properties.vmId}/${encodeURIComponent(vm.name)}.${file}`;
    return `${ctx.baseUrl}${path}?sv=2022-11-02&sr=b&sp=r&se=${encodeURIComponent(expiry)}&sig=${sign(path, expiry)}`;
  };
  return {
    status: 200,
    body: { consoleScreenshotBlobUri: uri("screenshot.bmp"), serialConsoleLogBlobUri: uri("serialconsole.log") },
  };
}

/** GET of a blob URI handed out above; answers Blob storage's 403 AuthenticationFailed for a bad or expired SAS. */
export function serveBootDiagnosticsBlob(
  url: URL,
  vms: ArmResource[],
  consoles: ConsoleLogs,
  res: ServerResponse,
): void {
  const expiry = url.searchParams.get("se") ?? "";
  const [, , vmId, file] = url.pathname.split("/");
  const vm = vms.find((v) => v.properties.vmId === vmId);
  if (url.searchParams.get("sig") !== sign(url.pathname, expiry) || !(Date.parse(expiry) > Date.now())) {
    res.writeHead(403, { "content-type": "application/xml", "x-ms-error-code": "AuthenticationFailed" });
    res.end(
      `<?xml version="1.0" encoding="utf-8"?><Error><Code>AuthenticationFailed</Code><Message>Server failed to authenticate the request.</Message></Error>`,
    );
    return;
  }
  if (!vm || !decodeURIComponent(file ?? "").endsWith(".serialconsole.log")) {
    res.writeHead(404, { "content-type": "application/xml", "x-ms-error-code": "BlobNotFound" });
    res.end(
      `<?xml version="1.0" encoding="utf-8"?><Error><Code>BlobNotFound</Code><Message>The specified blob does not exist.</Message></Error>`,
    );
    return;
  }
  const text = consoles.of(vm.name, new Date(vm.createdAt));
  res.writeHead(200, {
    "content-type": "text/plain",
    "x-ms-blob-type": "AppendBlob",
    "content-length": Buffer.byteLength(text),
  });
  res.end(text);
}
