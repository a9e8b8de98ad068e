/**
 * The user's whole path, from a fresh clone: `npm ci` (its prepare step builds the package),
 * `npm pack` (its prepack step builds it again), and a new TypeScript program made with the
 * settings of Pulumi's own `typescript` template (CommonJS, `moduleResolution: node`) that installs
 * the tarball, type-checks (subpath imports included), and runs up, refresh and destroy against
 * ims-emulator: an image named by Pulumi, an image read with `get`, `customTimeouts`.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { startTestEmulator, type TestEmulator } from "../helpers/emulator";
import { PulumiWorkspace, assertPulumiCli, initEmulatorStack, run } from "../helpers/pulumi-cli";

jest.setTimeout(300_000);

const repo = resolve(__dirname, "../..");

const PROGRAM = `import * as ims from "pulumi-ims";
import { Probe } from "pulumi-ims/testing";

// No name: Pulumi names it after the resource.
const golden = new ims.PrivateImage("golden", {
  source: { imageUrl: "images-bucket:ubuntu-24.04.qcow2", osVersion: "Ubuntu 24.04 server 64bit", minDisk: 40 },
  tags: { team: "platform" },
}, { customTimeouts: { create: "20m" } });

// The same image, read by its id.
const seen = ims.PrivateImage.get("seen", golden.id);

new Probe("probe", { message: "installed" });
export const name = golden.name;
export const seenName = seen.name;
export const seenStatus = seen.status;
export const timeouts = golden.timeouts;
export const id = golden.id;
`;

describe("from a fresh clone to a program made with Pulumi's typescript template", () => {
  const scratch = mkdtempSync(join(tmpdir(), "pulumi-ims-install-"));
  const clone = join(scratch, "clone");
  const ws = new PulumiWorkspace("e2e-install");
  let emu: TestEmulator;
  let tarball = "";

  beforeAll(async () => {
    await assertPulumiCli();
    emu = await startTestEmulator({ jobMs: 300 });
  });

  afterAll(async () => {
    await emu?.close();
    ws.cleanup();
    rmSync(scratch, { recursive: true, force: true });
  });

  it("npm ci builds the package, and npm pack ships what it needs (and no tests)", async () => {
    execFileSync("git", ["clone", "-q", repo, clone]);
    const ci = await run("npm", ["ci", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"], { cwd: clone, env: process.env, timeoutMs: 240_000 });
    expect(ci).toMatchObject({ code: 0 });
    const pack = await run("npm", ["pack", "--json", "--pack-destination", scratch], { cwd: clone, env: process.env, timeoutMs: 120_000 });
    expect(pack.code).toBe(0);
    const [info] = JSON.parse(pack.stdout.slice(pack.stdout.indexOf("["))) as [{ filename: string; files: { path: string }[] }];
    tarball = join(scratch, info.filename);
    const files = info.files.map((f) => f.path);
    for (const needed of ["dist/sdk/index.js", "dist/sdk/index.d.ts", "dist/provider/index.js", "dist/emulator/cli.js", "dist/sdk/shims/private-image.js", "LICENSE", "README.md", "package.json"]) {
      expect(files).toContain(needed);
    }
    expect(files.filter((f) => f.startsWith("test/") || f.startsWith("dist/test/") || f.endsWith(".ts") && !f.endsWith(".d.ts"))).toEqual([]);
  });

  it("installs into a program with the template's settings, which type-checks (a subpath import too)", async () => {
    const pulumiVersion = (JSON.parse(execFileSync("node", ["-p", "JSON.stringify(require('@pulumi/pulumi/package.json'))"], { cwd: repo, encoding: "utf8" })) as { version: string }).version;
    ws.write(
      "package.json",
      JSON.stringify({ name: "e2e-install", main: "index.ts", devDependencies: { "@types/node": "^24", typescript: "^5.0.0" }, dependencies: { "@pulumi/pulumi": `^${pulumiVersion}`, "pulumi-ims": `file:${tarball}` } }),
    );
    ws.write("Pulumi.yaml", "name: e2e-install\nruntime:\n  name: nodejs\n  options:\n    packagemanager: npm\ndescription: A program made as pulumi new typescript makes one\n");
    ws.write(
      "tsconfig.json",
      JSON.stringify({
        compilerOptions: {
          strict: true,
          outDir: "bin",
          target: "es2020",
          module: "commonjs",
          moduleResolution: "node",
          sourceMap: true,
          experimentalDecorators: true,
          pretty: true,
          noFallthroughCasesInSwitch: true,
          noImplicitReturns: true,
          forceConsistentCasingInFileNames: true,
        },
        files: ["index.ts"],
      }),
    );
    ws.write("index.ts", PROGRAM);
    // The REST client's types use zod, whose declarations need esModuleInterop (or skipLibCheck).
    ws.write("client.ts", `import { ImsClient } from "pulumi-ims/provider/client";\nexport const make = (endpoint: string) => new ImsClient({ endpoint, auth: { authUrl: endpoint + "/v3", region: "ap-southeast-1", credentials: { kind: "aksk", accessKey: "a", secretKey: "s" } } });\n`);
    await ws.npm(["install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"]);
    // The template's settings as they are: the package's types hold nothing that needs more.
    const tsc = await run("npx", ["--no-install", "tsc", "--noEmit", "-p", "."], { cwd: ws.dir, env: ws.env });
    expect(tsc).toMatchObject({ code: 0, stdout: "" });
    const client = await run("npx", ["--no-install", "tsc", "--noEmit", "--strict", "--module", "commonjs", "--moduleResolution", "node", "--esModuleInterop", "client.ts"], { cwd: ws.dir, env: ws.env });
    expect(client).toMatchObject({ code: 0, stdout: "" });
    // The emulator's command is the installed one, not whatever the registry holds under that name.
    const help = await run("npx", ["--no-install", "ims-emulator", "--help"], { cwd: ws.dir, env: ws.env });
    expect(help.stdout).toMatch(/Usage:\s+ims-emulator/);
  });

  it("runs up, refresh and destroy against ims-emulator", async () => {
    const env = await initEmulatorStack(ws, "dev", emu.url, emu.accessKey());
    await ws.pulumi(["up", "--yes"], { env });
    const out = JSON.parse(await ws.pulumi(["stack", "output", "--json"], { env })) as Record<string, unknown>;
    expect(out.name).toMatch(/^golden-[0-9a-f]{7}$/);
    expect(out).toMatchObject({ seenName: out.name, seenStatus: "active", timeouts: { create: "20m" } });
    const images = emu.world.state.images.filter((i) => i.imagetype === "private");
    expect(images.map((i) => i.name)).toEqual([out.name]);

    await ws.pulumi(["refresh", "--yes"], { env });
    expect(await ws.pulumiResult(["preview", "--expect-no-changes"], { env })).toMatchObject({ code: 0 });
    await ws.pulumi(["destroy", "--yes"], { env });
    expect(emu.world.state.images.filter((i) => i.imagetype === "private")).toEqual([]);
  });
});
