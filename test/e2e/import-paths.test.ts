/**
 * A machine with several disks imported in one step, a registered image file, and enterprise
 * projects, with the real Pulumi CLI and pulumi-ims installed from its npm tarball, against
 * ims-emulator: up makes one system image and its data images (outputs) and a registered image; a
 * change of enterprise project moves both in place; a data image deleted outside shows on refresh
 * and up makes it again; destroy leaves no image.
 */
import { makeQcow2, makeVmdk } from "../../emulator/domain/disk-format";
import type { Image } from "../../emulator/domain/model";
import { startTestEmulator, type TestEmulator } from "../helpers/emulator";
import { diffOf, initEmulatorStack, installPackedProject, PulumiWorkspace } from "../helpers/pulumi-cli";

jest.setTimeout(180_000);

const PLATFORM_TEAM = "af905606-5af8-4a1f-a6ae-aacaf4713b92";

const PROGRAM = `import * as pulumi from "@pulumi/pulumi";
import * as ims from "pulumi-ims";

const config = new pulumi.Config();
const enterpriseProjectId = config.get("enterpriseProjectId");

const machine = new ims.PrivateImage("machine", {
  name: "e2e-db-server",
  tags: { app: "db" },
  ...(enterpriseProjectId ? { enterpriseProjectId } : {}),
  source: {
    imageUrl: "images-bucket:ubuntu-24.04.qcow2",
    minDisk: 40,
    osVersion: "Ubuntu 24.04 server 64bit",
    dataDisks: [
      { imageUrl: "images-bucket:disks/db-data.qcow2", minDisk: 100, name: "e2e-db-data", tags: { disk: "data" } },
      { imageUrl: "images-bucket:data-disk.vhd", minDisk: 40 },
    ],
  },
});

const appliance = new ims.PrivateImage("appliance", {
  name: "e2e-appliance",
  enterpriseProjectId: enterpriseProjectId ?? "0",
  source: { imageUrl: "images-bucket:appliances/vendor.vmdk", register: true, minDisk: 40 },
});

export const machineId = machine.id;
export const dataImages = machine.dataImages;
export const applianceId = appliance.id;
export const applianceFormat = appliance.diskFormat;
`;

describe("multi-disk import, registration and enterprise projects", () => {
  const ws = new PulumiWorkspace("e2e-import-paths");
  let emu: TestEmulator;
  let env: Record<string, string>;
  let secret = "";
  let machineId = "";
  let applianceId = "";
  let dataIds: string[] = [];

  const pulumi = (args: string[]) => ws.pulumi([...args, "--stack", "paths"], { env });
  const pulumiResult = (args: string[]) => ws.pulumiResult([...args, "--stack", "paths"], { env });
  const privateImages = (): Image[] => emu.world.state.images.filter((i) => i.imagetype === "private" && i.status !== "deleted");
  const image = (id: string) => privateImages().find((i) => i.id === id);
  const enterpriseProject = (id: string) => image(id)?.properties.enterprise_project_id ?? "0";
  const outputs = async () => JSON.parse(await pulumi(["stack", "output", "--json"])) as { machineId: string; applianceId: string; applianceFormat: string; dataImages: { id: string; name: string; status: string }[] };

  beforeAll(async () => {
    await installPackedProject(ws, "e2e-import-paths", PROGRAM);
    emu = await startTestEmulator({ jobMs: 300 });
    for (const [key, bytes] of [["disks/db-data.qcow2", makeQcow2(80)], ["appliances/vendor.vmdk", makeVmdk(30)]] as const) {
      const res = await emu.request("PUT", `/_emulator/objects/images-bucket/${key}`, { raw: bytes });
      expect(res.status).toBe(201);
    }
    const key = emu.accessKey("ap-southeast-1");
    secret = key.secret;
    env = await initEmulatorStack(ws, "paths", emu.url, key);
  }, 240_000);

  afterAll(async () => {
    await emu?.close();
    ws.cleanup();
  });

  it("up imports the system disk with its data disks in one call, and registers the appliance's file", async () => {
    await pulumi(["up", "--yes"]);
    const out = await outputs();
    ({ machineId, applianceId } = out);
    dataIds = out.dataImages.map((d) => d.id);
    expect(out.dataImages).toEqual([
      expect.objectContaining({ name: "e2e-db-data", status: "active", imageUrl: "images-bucket:disks/db-data.qcow2", minDisk: 100 }),
      expect.objectContaining({ name: "e2e-db-server-data-2", status: "active", imageUrl: "images-bucket:data-disk.vhd", minDisk: 40 }),
    ]);
    for (const id of dataIds) expect(image(id)?.virtualEnvType).toBe("DataImage");
    expect(image(machineId)?.virtualEnvType).not.toBe("DataImage");
    expect(image(applianceId)?.origin.kind).toBe("metadata");
    expect(out.applianceFormat).toBe("vmdk");
    expect(privateImages()).toHaveLength(4);
    const metrics = (await emu.request("GET", "/_emulator/metrics")).body as { routes: { method: string; route: string; count: number }[] };
    const creates = metrics.routes.filter((r) => r.method === "POST" && r.route === "/v2/cloudimages/action").reduce((n, r) => n + r.count, 0);
    expect(creates).toBe(1);
    expect(await pulumiResult(["preview", "--expect-no-changes"])).toMatchObject({ code: 0 });
  });

  it("a new enterprise project moves both images in place", async () => {
    await pulumi(["config", "set", "enterpriseProjectId", PLATFORM_TEAM]);
    const up = await pulumi(["up", "--yes"]);
    expect(diffOf(up, "machine", "updated")).toBe("+enterpriseProjectId");
    expect(diffOf(up, "appliance", "updated")).toBe("~enterpriseProjectId");
    expect(up).not.toMatch(/replaced/);
    expect(enterpriseProject(machineId)).toBe(PLATFORM_TEAM);
    expect(enterpriseProject(applianceId)).toBe(PLATFORM_TEAM);
    const out = await outputs();
    expect([out.machineId, out.applianceId]).toEqual([machineId, applianceId]);
  });

  it("a data image deleted outside shows on refresh, and up makes it again", async () => {
    const res = await emu.request("DELETE", `/_emulator/images/${dataIds[1]}`);
    expect(res.status).toBe(204);
    const refresh = await pulumi(["refresh", "--yes"]);
    // Only an output changed: the refresh updates the state without an input diff.
    expect(diffOf(refresh, "machine", "updated")).toBe("");
    expect(diffOf(refresh, "appliance", "updated")).toBeUndefined();
    const state = await ws.exportStack("paths");
    const machine = state.deployment.resources!.find((r) => r.urn.endsWith("::machine"))!;
    expect((machine.outputs as { dataImages: { status: string }[] }).dataImages.map((d) => d.status)).toEqual(["active", "deleted"]);
    const up = await pulumi(["up", "--yes"]);
    expect(diffOf(up, "machine", "updated")).toBeDefined();
    const out = await outputs();
    expect(out.machineId).toBe(machineId);
    expect(out.dataImages[0].id).toBe(dataIds[0]);
    expect(out.dataImages[1]).toMatchObject({ name: "e2e-db-server-data-2", status: "active" });
    expect(out.dataImages[1].id).not.toBe(dataIds[1]);
    expect(image(out.dataImages[1].id)?.virtualEnvType).toBe("DataImage");
    dataIds = out.dataImages.map((d) => d.id);
    expect(await pulumiResult(["preview", "--expect-no-changes"])).toMatchObject({ code: 0 });
  });

  it("destroy deletes the system, data and registered images, and no secret reached the output or the state", async () => {
    await pulumi(["destroy", "--yes"]);
    expect(privateImages()).toEqual([]);
    for (const t of ws.transcript) expect(`${t.stdout}\n${t.stderr}`).not.toContain(secret);
    expect(await pulumi(["stack", "export"])).not.toContain(secret);
  });
});
