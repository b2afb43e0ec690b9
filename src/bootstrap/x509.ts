// The one way this folder loads @peculiar/x509: its dependency-injection layer (tsyringe) needs the Reflect metadata
// API installed before it loads.
import "reflect-metadata";

export * from "@peculiar/x509";
