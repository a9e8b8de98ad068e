import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";

export interface PackageInfo {
  readonly name: string;
  readonly version: string;
}

let cached: PackageInfo | undefined;

/** Name and version of the installed pulumi-ims package (from source or from dist/). */
export function packageInfo(): PackageInfo {
  if (cached) return cached;
  for (let dir = __dirname; ; dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as Partial<PackageInfo>;
      if (pkg.name === "pulumi-ims" && typeof pkg.version === "string") {
        cached = { name: pkg.name, version: pkg.version };
        return cached;
      }
    } catch {
      // No package.json here: keep walking up.
    }
    if (dirname(dir) === dir) throw new Error(`pulumi-ims: package.json not found above ${__dirname}`);
  }
}
