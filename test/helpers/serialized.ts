import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from "node:fs";
import { Module } from "node:module";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type * as pulumi from "@pulumi/pulumi";

const repo = resolve(__dirname, "../..");

/**
 * Loads serialized provider text as the engine's provider process does (require-from-string
 * with an empty file name): bare module names resolve from `dir`'s node_modules.
 */
export function loadSerialized(text: string, dir: string): pulumi.dynamic.ResourceProvider {
  const m = new Module("", undefined);
  const internals = Module as unknown as { _nodeModulePaths(dir: string): string[] };
  m.paths = internals._nodeModulePaths(dir);
  (m as unknown as { _compile(code: string, filename: string): void })._compile(text, "");
  return (m.exports as { handler(): pulumi.dynamic.ResourceProvider }).handler();
}

/**
 * A program directory in which pulumi-ims is installed as a real copy of the built package
 * (dist/ and package.json), the way npm installs it for users; other dependencies are linked
 * from this repository's node_modules.
 */
export function installedLayout(): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), "pulumi-ims-installed-"));
  const modules = join(dir, "node_modules");
  mkdirSync(join(modules, "pulumi-ims"), { recursive: true });
  cpSync(join(repo, "package.json"), join(modules, "pulumi-ims", "package.json"));
  cpSync(join(repo, "dist"), join(modules, "pulumi-ims", "dist"), { recursive: true });
  for (const entry of readdirSync(join(repo, "node_modules"))) {
    if (entry === "pulumi-ims" || entry.startsWith(".")) continue;
    symlinkSync(join(repo, "node_modules", entry), join(modules, entry));
  }
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Serializes `() => provider` with Pulumi's own serializer, as `new dynamic.Resource` does, in a
 * separate Node process whose working directory is `dir`; `expression` is evaluated there to get
 * the provider object (e.g. `require("pulumi-ims/shims/probe")`).
 */
export function serializeIn(dir: string, expression: string, env: NodeJS.ProcessEnv = {}): string {
  // Symlinked dependencies keep their place in `dir`, as real copies would.
  const script = `
    const pulumi = require("@pulumi/pulumi");
    const provider = ${expression};
    pulumi.runtime.serializeFunction(() => provider, { allowSecrets: false })
      .then((f) => process.stdout.write(f.text))
      .catch((e) => { console.error(e); process.exit(1); });`;
  return execFileSync(process.execPath, ["--preserve-symlinks", "--no-warnings", "-e", script], { cwd: dir, env: { ...process.env, ...env }, encoding: "utf8" });
}
