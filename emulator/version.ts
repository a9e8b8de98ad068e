/**
 * The version ims-emulator reports: that of the pulumi-ims package it ships in. Read from the
 * package's own package.json (found above this file both in the sources and in dist/), not from
 * provider code: the emulator shares no code with the provider.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";

let version: string | undefined;

export function emulatorVersion(): string {
  if (version !== undefined) return version;
  for (let dir = __dirname; ; dir = dirname(dir)) {
    const found = packageVersion(join(dir, "package.json"));
    if (found !== undefined) return (version = found);
    if (dirname(dir) === dir) throw new Error(`the package.json of pulumi-ims was not found above ${__dirname}`);
  }
}

/** The version in this package.json if it is pulumi-ims's, else undefined (missing, unreadable, another package). */
function packageVersion(file: string): string | undefined {
  let pkg: { name?: unknown; version?: unknown };
  try {
    pkg = JSON.parse(readFileSync(file, "utf8")) as typeof pkg;
  } catch {
    return undefined;
  }
  return pkg.name === "pulumi-ims" && typeof pkg.version === "string" ? pkg.version : undefined;
}
