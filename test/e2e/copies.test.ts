/**
 * ImageCopy with the real Pulumi CLI, pulumi-ims installed from its npm tarball, against
 * ims-emulator: a copy within the region and one to a second region, both with tags and RAM
 * limits; preview after up shows no changes; a change made outside to the remote copy shows on
 * refresh and up repairs it in place; destroy leaves no copied image in either region.
 */
import type { Image } from "../../emulator/domain/model";
import { startTestEmulator, type TestEmulator } from "../helpers/emulator";
import { diffOf, initEmulatorStack, PulumiWorkspace, installPackedProject, type StateResource } from "../helpers/pulumi-cli";

jest.setTimeout(180_000);

const COPY = "pulumi-nodejs:dynamic/ims:ImageCopy";

const PROGRAM = `import * as ims from "pulumi-ims";

const base = new ims.PrivateImage("base", {
  name: "e2e-copy-source",
  source: { imageUrl: "images-bucket:ubuntu-24.04.qcow2", osVersion: "Ubuntu 24.04 server 64bit", minDisk: 40 },
  tags: { role: "source" },
});
const local = new ims.ImageCopy("local", {
  sourceImageId: base.id,
  name: "e2e-copy-local",
  description: "Copy within the region",
  minRam: 1024,
  tags: { copy: "local" },
});
const remote = new ims.ImageCopy("remote", {
  sourceImageId: base.id,
  name: "e2e-copy-remote",
  targetRegion: "ap-southeast-3",
  agencyName: "ims_admin_agency",
  maxRam: 4096,
  tags: { copy: "remote", site: "dr" },
});

export const localCopy = { id: local.id, region: local.imageRegion, project: local.projectId };
export const remoteCopy = { id: remote.id, region: remote.imageRegion, project: remote.projectId, sourceRegion: remote.sourceRegion };
`;


describe("ImageCopy: within the region and to a second region", () => {
  const ws = new PulumiWorkspace("e2e-copies");
  let emu: TestEmulator;
  let env: Record<string, string>;
  let remoteId = "";
  let localId = "";

  const pulumi = (args: string[]) => ws.pulumi([...args, "--stack", "copies"], { env });
  const pulumiResult = (args: string[]) => ws.pulumiResult([...args, "--stack", "copies"], { env });
  const privateImages = (): Image[] => emu.world.state.images.filter((i) => i.imagetype === "private" && i.status !== "deleted");
  const tagsOf = (id: string) => Object.fromEntries((privateImages().find((i) => i.id === id)?.tags ?? []).map((t) => [t.key, t.value]));
  const copies = async (): Promise<Record<string, StateResource>> => {
    const state = JSON.parse(await pulumi(["stack", "export"])) as { deployment: { resources?: StateResource[] } };
    return Object.fromEntries((state.deployment.resources ?? []).filter((r) => r.type === COPY).map((r) => [r.urn.split("::").pop()!, r]));
  };

  beforeAll(async () => {
    await installPackedProject(ws, "e2e-copies", PROGRAM);
    emu = await startTestEmulator({ jobMs: 300 });
    env = await initEmulatorStack(ws, "copies", emu.url, emu.accessKey("ap-southeast-1"));
  }, 240_000);

  afterAll(async () => {
    await emu?.close();
    ws.cleanup();
  });

  it("up copies into both regions with the declared attributes", async () => {
    await pulumi(["up", "--yes"]);
    const out = JSON.parse(await pulumi(["stack", "output", "--json"])) as Record<string, Record<string, string>>;
    localId = out.localCopy.id;
    remoteId = out.remoteCopy.id;
    expect(out.localCopy).toMatchObject({ region: "ap-southeast-1", project: emu.projectId("ap-southeast-1") });
    expect(out.remoteCopy).toMatchObject({ region: "ap-southeast-3", project: emu.projectId("ap-southeast-3"), sourceRegion: "ap-southeast-1" });

    const local = privateImages().find((i) => i.id === localId);
    const remote = privateImages().find((i) => i.id === remoteId);
    expect(local).toMatchObject({ name: "e2e-copy-local", region: "ap-southeast-1", description: "Copy within the region", minRam: 1024 });
    expect(remote).toMatchObject({ name: "e2e-copy-remote", region: "ap-southeast-3", owner: emu.projectId("ap-southeast-3"), maxRam: 4096 });
    expect(tagsOf(localId)).toEqual({ copy: "local" });
    expect(tagsOf(remoteId)).toEqual({ copy: "remote", site: "dr" });
    expect(privateImages()).toHaveLength(3);
    expect(await pulumiResult(["preview", "--expect-no-changes"])).toMatchObject({ code: 0 });
  });

  it("a change made outside to the remote copy shows on refresh, and up repairs it in place", async () => {
    const patch = await emu.request("PATCH", `/_emulator/images/${remoteId}`, { body: { name: "renamed-in-dr", tags: { copy: "remote" } } });
    expect(patch.status).toBe(200);
    const refresh = await pulumi(["refresh", "--yes"]);
    expect(diffOf(refresh, "remote", "updated")).toBe("~name,tags");
    expect(diffOf(refresh, "local", "updated")).toBeUndefined();

    const up = await pulumi(["up", "--yes"]);
    expect(diffOf(up, "remote", "updated")).toBe("~name,tags");
    expect(privateImages().find((i) => i.id === remoteId)).toMatchObject({ name: "e2e-copy-remote" });
    expect(tagsOf(remoteId)).toEqual({ copy: "remote", site: "dr" });
    expect((await copies()).remote.id).toBe(remoteId);
    expect(await pulumiResult(["preview", "--expect-no-changes"])).toMatchObject({ code: 0 });
  });

  it("destroy leaves no image in either region", async () => {
    await pulumi(["destroy", "--yes"]);
    expect(privateImages()).toEqual([]);
    expect(await copies()).toEqual({});
  });
});
