// The few lines of Python a user runs to connect, printed by `up` and `status`. Paths and the address are
// written as JSON string literals, which are valid Python string literals whatever the path contains. The last line
// fails at once, naming the packages, when the client's Python or Dask versions differ from the cluster's.
export interface ClientTlsFiles {
  caPath: string;
  certPath: string;
  keyPath: string;
}

export function connectionSnippet(schedulerAddress: string, tls?: ClientTlsFiles): string {
  const address = JSON.stringify(schedulerAddress);
  const check = "client.get_versions(check=True)";
  if (!tls) return ["from distributed import Client", `client = Client(${address})`, check].join("\n");
  return [
    "from distributed import Client, Security",
    "security = Security(",
    `    tls_ca_file=${JSON.stringify(tls.caPath)},`,
    `    tls_client_cert=${JSON.stringify(tls.certPath)},`,
    `    tls_client_key=${JSON.stringify(tls.keyPath)},`,
    "    require_encryption=True,",
    ")",
    `client = Client(${address}, security=security)`,
    check,
  ].join("\n");
}
