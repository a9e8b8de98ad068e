#!/usr/bin/env node
/**
 * ims-emulator: a local IMS cloud. This release carries the command only; the service itself
 * arrives in a later version, so every invocation prints the usage.
 */
const USAGE = `Usage: ims-emulator [--port N] [--host 127.0.0.1] [--world file.json] [--state-file f] [--job-duration ms]

Starts a local Image Management Service (IAM, IMS and Glance-compatible APIs) and prints its
endpoint and the credentials of its default world.

This version of pulumi-ims does not include the emulator service yet.`;

function main(argv: readonly string[]): number {
  const wantsHelp = argv.includes("--help") || argv.includes("-h");
  (wantsHelp ? process.stdout : process.stderr).write(USAGE + "\n");
  return wantsHelp ? 0 : 2;
}

process.exitCode = main(process.argv.slice(2));
