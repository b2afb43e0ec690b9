// Preloaded into a spawned CLI by the benchmark (node -r): prints the process's peak memory at exit.
process.on("exit", () => process.stderr.write(`\nPEAK-RSS-KB: ${process.resourceUsage().maxRSS}\n`));
