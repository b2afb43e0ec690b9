// The one way this folder loads @peculiar/x509: after the Reflect metadata polyfill it needs at load time.
import "./reflect-metadata.js";

export * from "@peculiar/x509";
