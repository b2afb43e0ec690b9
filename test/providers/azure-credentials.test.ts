// hasLocalCredentials decides, without an SDK or the network, whether `up --dryrun` may call Azure.
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { hasLocalCredentials } from "../../src/providers/azure/credentials.js";

describe("Azure hasLocalCredentials", () => {
  const home = mkdtempSync(join(tmpdir(), "azure-home-"));

  test("nothing configured: no credentials", () => {
    expect(hasLocalCredentials({ HOME: home })).toBe(false);
  });

  test("a static token, a service principal, or an az login profile count", () => {
    expect(hasLocalCredentials({ HOME: home, CLOUDLAUNCH_AZURE_ACCESS_TOKEN: "t" })).toBe(true);
    expect(hasLocalCredentials({ HOME: home, AZURE_CLIENT_ID: "c", AZURE_TENANT_ID: "t" })).toBe(true);
    expect(hasLocalCredentials({ HOME: home, AZURE_CLIENT_ID: "c" })).toBe(false);
    mkdirSync(join(home, ".azure"));
    writeFileSync(join(home, ".azure", "azureProfile.json"), "{}");
    expect(hasLocalCredentials({ HOME: home })).toBe(true);
  });
});
