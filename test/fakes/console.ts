// What a fake VM's serial console holds: a short boot log by default, or whatever a test wrote (e.g. a bootstrap that
// failed at a step). Keyed by node name, the same on every fake, so a test can set it before the VM even exists.
export class ConsoleLogs {
  private readonly texts = new Map<string, string>();

  set(nodeName: string, text: string): void {
    this.texts.set(nodeName, text);
  }

  /** The console text of a VM that has booted; a real kernel and cloud-init write something like this. */
  of(nodeName: string, bootedAt: Date): string {
    return this.texts.get(nodeName) ?? defaultBootLog(nodeName, bootedAt);
  }
}

function defaultBootLog(nodeName: string, bootedAt: Date): string {
  return [
    "[    0.000000] Linux version 6.8.0-1015-cloud (buildd@lcy02-amd64-044) #16-Ubuntu SMP",
    `[    2.104511] cloud-init[512]: Cloud-init v. 24.1 running 'init' at ${bootedAt.toUTCString()}.`,
    `${nodeName} login:`,
    "",
  ].join("\n");
}
