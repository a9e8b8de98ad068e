/**
 * Every example as its README says to run it: `npm install` (pulumi-ims from this repository, as a
 * packed copy: `file:../..` with install-links), the settings the README names, `pulumi up`, then
 * `pulumi destroy` — with the real Pulumi CLI against ims-emulator. Each example runs from a copy
 * of its directory whose `file:` dependency names this repository.
 */
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { makeQcow2 } from "../../emulator/domain/disk-format";
import { startTestEmulator, type TestEmulator } from "../helpers/emulator";
import { assertPulumiCli, PulumiWorkspace } from "../helpers/pulumi-cli";

jest.setTimeout(240_000);

const repo = resolve(__dirname, "../..");

interface Example {
  /** Stack settings the example's README names, from the emulator's world. */
  settings(emu: TestEmulator, dir: string): Record<string, string>;
  /** Secret values the README says to export. */
  env?(emu: TestEmulator): Record<string, string>;
  /** Resources the example makes, by type. */
  makes: Record<string, number>;
}

const EXAMPLES: Record<string, Example> = {
  "image-from-obs": { settings: () => ({}), makes: { PrivateImage: 1 } },
  "data-image": {
    settings: (emu) => ({ volumeId: emu.world.state.volumes.find((v) => v.name === "web-01-data")!.id }),
    makes: { DataImage: 2 },
  },
  "image-from-ecs": {
    settings: (emu) => ({ serverId: emu.world.state.servers[0].id, backupId: emu.world.state.backups[0].id }),
    makes: { PrivateImage: 2 },
  },
  "local-upload": {
    settings: (_emu, dir) => {
      const file = join(dir, "appliance.qcow2");
      writeFileSync(file, makeQcow2(2));
      return { file };
    },
    makes: { PrivateImage: 1 },
  },
  "image-sharing": {
    settings: (emu) => ({
      analyticsProjectId: emu.projectId("ap-southeast-1_analytics"),
      "ims:profiles.analytics.accessKey": emu.accessKey("ap-southeast-1_analytics").access,
      "ims:profiles.analytics.projectId": emu.projectId("ap-southeast-1_analytics"),
    }),
    env: (emu) => ({ IMS_PROFILE_ANALYTICS_SECRET_KEY: emu.accessKey("ap-southeast-1_analytics").secret }),
    makes: { PrivateImage: 1, ImageMember: 1 },
  },
  "image-copy": { settings: () => ({}), makes: { PrivateImage: 1, ImageCopy: 2 } },
  "image-pipeline": {
    // One build, copied to ap-southeast-3, shared with the member project and profile of image-sharing.
    settings: (emu, dir) => EXAMPLES["image-sharing"].settings(emu, dir),
    env: (emu) => EXAMPLES["image-sharing"].env!(emu),
    makes: { PrivateImage: 1, ImageCopy: 1, ImageMember: 1 },
  },
  "image-export": { settings: () => ({}), makes: { PrivateImage: 1, ImageExport: 2 } },
};

beforeAll(async () => {
  await assertPulumiCli();
});

describe.each(Object.keys(EXAMPLES))("examples/%s", (name) => {
  const example = EXAMPLES[name];
  const ws = new PulumiWorkspace(`example-${name}`);
  let emu: TestEmulator;

  beforeAll(async () => {
    emu = await startTestEmulator({ jobMs: 300 });
    cpSync(join(repo, "examples", name), ws.dir, { recursive: true });
    const manifest = JSON.parse(readFileSync(join(ws.dir, "package.json"), "utf8")) as { dependencies: Record<string, string> };
    expect(manifest.dependencies["pulumi-ims"]).toBe("file:../..");
    manifest.dependencies["pulumi-ims"] = `file:${repo}`;
    writeFileSync(join(ws.dir, "package.json"), JSON.stringify(manifest, null, 2));
    // dist/ is built (make test builds it): its own build is skipped while other tests read it.
    await ws.npm(["install", "--prefer-offline", "--no-audit", "--no-fund", "--ignore-scripts", "--loglevel=error"]);
  }, 240_000);

  afterAll(async () => {
    await emu?.close();
    ws.cleanup();
  });

  it("runs as its README says: up makes what it declares, destroy removes it", async () => {
    const key = emu.accessKey("ap-southeast-1");
    const env = { HW_ACCESS_KEY: key.access, HW_SECRET_KEY: key.secret, ...(example.env?.(emu) ?? {}) };
    await ws.pulumi(["stack", "init", "dev"]);
    const settings = { "ims:region": "ap-southeast-1", "ims:endpoint": emu.url, "ims:authUrl": `${emu.url}/v3`, ...example.settings(emu, ws.dir) };
    for (const [k, v] of Object.entries(settings)) await ws.pulumi(["config", "set", "--path", k, v]);
    await ws.pulumi(["up", "--yes"], { env });

    const state = await ws.exportStack();
    const made: Record<string, number> = {};
    for (const r of state.deployment.resources ?? []) {
      const kind = /^pulumi-nodejs:dynamic\/ims:(\w+)$/.exec(r.type)?.[1];
      if (kind) made[kind] = (made[kind] ?? 0) + 1;
    }
    expect(made).toEqual(example.makes);
    expect(emu.world.state.images.filter((i) => i.imagetype === "private" && i.status === "active").length).toBe(
      (example.makes.PrivateImage ?? 0) + (example.makes.DataImage ?? 0) + (example.makes.ImageCopy ?? 0),
    );

    await ws.pulumi(["destroy", "--yes"], { env });
    expect(emu.world.state.images.filter((i) => i.imagetype === "private")).toEqual([]);
  });
});
