// In-process driver tests skip src/cli.ts, which switches off the AWS SDK's "upgrade to Node 22" notice for a run:
// the same switch here keeps the suite's output readable on Node 20.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
