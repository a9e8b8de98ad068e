/**
 * Enterprise projects: the admin API that keeps an account's enterprise projects, every create API
 * that takes `enterprise_project_id` (E3, E4, E5, E6, E15), the E2 move between enterprise
 * projects, the E1 filter, the image view, and worlds saved before enterprise projects existed.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_WORLD } from "../../emulator";
import { readStateFile } from "../../emulator/persist";
import type { WorldState } from "../../emulator/domain/model";
import { startTestEmulator, type TestEmulator } from "../helpers/emulator";
import {
  MAIN,
  ANALYTICS,
  QCOW2_URL,
  VHD_URL,
  UUID,
  fixtures,
  expectError,
  expectRejected,
  run,
  imageOf,
  list,
  putObject,
  createdImageId,
  imageFromFile,
  type ImageView,
} from "./support";

type Json = Record<string, unknown>;

const PLATFORM_TEAM = DEFAULT_WORLD.enterpriseProject.id;
const UNKNOWN_EP = "9b1c2d3e-4f50-4a61-8b72-93a4b5c6d7e8";

/** The enterprise projects `GET /_emulator/world` lists. */
async function enterpriseProjects(emu: TestEmulator): Promise<Json[]> {
  const res = await emu.request<{ enterpriseProjects: Json[] }>("GET", "/_emulator/world");
  expect(res.status).toBe(200);
  return res.body.enterpriseProjects;
}

/** PATCH /v2/cloudimages/{id} with one operation on enterprise_project_id. */
function moveTo(emu: TestEmulator, imageId: string, value: string, op = "replace") {
  return emu.as<ImageView>(MAIN, "PATCH", `/v2/cloudimages/${imageId}`, { body: [{ op, path: "/enterprise_project_id", value }] });
}

describe("enterprise projects in the world and the admin API", () => {
  let emu: TestEmulator;
  let domainId: string;
  beforeAll(async () => {
    emu = await startTestEmulator({ jobMs: 50 });
    domainId = emu.world.state.domains[0].id;
  });
  afterAll(() => emu.close());

  it("the default world's account has the default enterprise project 0 and platform-team, with a stable id", async () => {
    expect(PLATFORM_TEAM).toMatch(UUID);
    expect(await enterpriseProjects(emu)).toEqual([
      { id: "0", name: "default", domainId, domain: "ims-emulator" },
      { id: PLATFORM_TEAM, name: "platform-team", domainId, domain: "ims-emulator" },
    ]);
    // Stable: derived from its name, the same in every default world.
    const other = await startTestEmulator();
    try {
      expect(other.world.state.enterpriseProjects).toEqual(emu.world.state.enterpriseProjects);
    } finally {
      await other.close();
    }
  });

  it("PUT adds one (201), renames it (200); DELETE removes it (204, then 404)", async () => {
    const id = "1f0e2d3c-4b5a-4968-8776-655443322110";
    const added = await emu.request<Json>("PUT", `/_emulator/enterprise-projects/${id}`, { body: { name: "data-team" } });
    expect(added.status).toBe(201);
    expect(added.body).toEqual({ id, name: "data-team", domainId });
    const renamed = await emu.request<Json>("PUT", `/_emulator/enterprise-projects/${id}`, { body: { name: "data-platform" } });
    expect(renamed.status).toBe(200);
    expect((await enterpriseProjects(emu)).filter((e) => e.id === id)).toEqual([{ id, name: "data-platform", domainId, domain: "ims-emulator" }]);

    expect((await emu.request("DELETE", `/_emulator/enterprise-projects/${id}`)).status).toBe(204);
    expect((await enterpriseProjects(emu)).map((e) => e.id)).toEqual(["0", PLATFORM_TEAM]);
    const again = await emu.request<Json>("DELETE", `/_emulator/enterprise-projects/${id}`);
    expect(again.status).toBe(404);
    expect(again.body).toEqual({ error: { code: "EMULATOR.NOT_FOUND", message: `No enterprise project ${id}.` } });
  });

  it.each([
    ["the default enterprise project 0", "0", { name: "zero" }, "always there"],
    ["an id that is not a UUID", "team-a", { name: "team-a" }, "lowercase UUID"],
    ["a name with a space", "2f0e2d3c-4b5a-4968-8776-655443322110", { name: "data team" }, "is invalid"],
    ["the name default", "2f0e2d3c-4b5a-4968-8776-655443322110", { name: "Default" }, "other than default"],
    ["a name of 65 characters", "2f0e2d3c-4b5a-4968-8776-655443322110", { name: "n".repeat(65) }, "is invalid"],
    ["a name another enterprise project has", "2f0e2d3c-4b5a-4968-8776-655443322110", { name: "platform-team" }, "already named platform-team"],
    ["no name", "2f0e2d3c-4b5a-4968-8776-655443322110", {}, "name must be a non-empty string"],
  ])("PUT refuses %s (400) and changes nothing", async (_what, id, body, message) => {
    const before = emu.snapshot();
    const res = await emu.request<{ error: { code: string; message: string } }>("PUT", `/_emulator/enterprise-projects/${id}`, { body });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("EMULATOR.BAD_REQUEST");
    expect(res.body.error.message).toContain(message);
    expect(emu.snapshot()).toEqual(before);
  });

  it("DELETE refuses the default enterprise project and one that still holds images, naming them", async () => {
    const zero = await emu.request<{ error: { message: string } }>("DELETE", "/_emulator/enterprise-projects/0");
    expect(zero.status).toBe(400);
    const job = await run(emu, { name: "held-by-platform", image_url: QCOW2_URL, min_disk: 40, enterprise_project_id: PLATFORM_TEAM });
    const id = createdImageId(job);
    const held = await emu.request<{ error: { code: string; message: string } }>("DELETE", `/_emulator/enterprise-projects/${PLATFORM_TEAM}`);
    expect(held.status).toBe(400);
    expect(held.body.error.message).toContain(id);
    expect(held.body.error.message).toContain("move them with PATCH /v2/cloudimages/{image_id}");
    // Once the image has moved away, the enterprise project can go.
    expect((await moveTo(emu, id, "0")).status).toBe(200);
    expect((await emu.request("DELETE", `/_emulator/enterprise-projects/${PLATFORM_TEAM}`)).status).toBe(204);
    expect((await enterpriseProjects(emu)).map((e) => e.id)).toEqual(["0"]);
    expect((await emu.request("PUT", `/_emulator/enterprise-projects/${PLATFORM_TEAM}`, { body: { name: "platform-team" } })).status).toBe(201);
  });
});

describe("creating images in an enterprise project (E3, E4, E5, E6, E15)", () => {
  let emu: TestEmulator;
  let source: string;
  beforeAll(async () => {
    emu = await startTestEmulator({ jobMs: 50 });
    await putObject(emu, "quick.raw", Buffer.alloc(16 * 1024, 3));
    source = await imageFromFile(emu, "copy-source");
  });
  afterAll(() => emu.close());

  const creations: [string, string, () => Json][] = [
    ["E3 from an ECS", "/v2/cloudimages/action", () => ({ name: "ep-ecs", instance_id: fixtures(emu).serverId })],
    ["E3 from an OBS file", "/v2/cloudimages/action", () => ({ name: "ep-file", image_url: QCOW2_URL, min_disk: 40 })],
    ["E3 from a volume", "/v2/cloudimages/action", () => ({ name: "ep-volume", volume_id: fixtures(emu).spareVolumeId, os_version: "CentOS 7.9 64bit" })],
    ["E3 from the ECS's data disks", "/v2/cloudimages/action", () => ({ data_images: [{ name: "ep-data-disk", volume_id: fixtures(emu).dataVolumeId }] })],
    ["E4 quick import", "/v2/cloudimages/quickimport/action", () => ({ name: "ep-quick", image_url: "images-bucket:quick.raw", min_disk: 40, os_version: "CentOS 7.9 64bit" })],
    ["E5 data image from a file", "/v1/cloudimages/dataimages/action", () => ({ name: "ep-data-file", image_url: VHD_URL, min_disk: 40 })],
    ["E6 full-ECS image", "/v1/cloudimages/wholeimages/action", () => ({ name: "ep-whole", instance_id: fixtures(emu).serverId })],
    ["E15 copy in the region", "", () => ({ name: "ep-copy" })],
  ];
  const pathOf = (path: string) => path || `/v1/cloudimages/${source}/copy`;

  /** Every image a finished creation job made (sub-jobs included). */
  const madeBy = (job: Awaited<ReturnType<typeof run>>): string[] =>
    job.entities.sub_jobs_result ? job.entities.sub_jobs_result.map((s) => s.entities.image_id) : [createdImageId(job)];

  it.each(creations)("%s puts the image into the enterprise project it names", async (_what, path, body) => {
    const job = await run(emu, { ...body(), enterprise_project_id: PLATFORM_TEAM }, pathOf(path));
    expect(job.status).toBe("SUCCESS");
    for (const id of madeBy(job)) expect((await imageOf(emu, id)).enterprise_project_id).toBe(PLATFORM_TEAM);
  });

  it.each(creations)("%s without enterprise_project_id, or with 0, puts it into the default one (0)", async (_what, path, body) => {
    for (const extra of [{}, { enterprise_project_id: "0" }]) {
      const job = await run(emu, { ...body(), ...extra }, pathOf(path));
      for (const id of madeBy(job)) expect((await imageOf(emu, id)).enterprise_project_id).toBe("0");
    }
  });

  it.each(creations)("%s refuses an enterprise project the account lacks with IMG.0155 and changes nothing", async (_what, path, body) => {
    await expectRejected(emu, MAIN, "POST", pathOf(path), { body: { ...body(), enterprise_project_id: UNKNOWN_EP } }, 400, "IMG.0155");
  });

  it("IMG.0155 says what to give instead", async () => {
    const res = await emu.as<{ error: { message: string } }>(MAIN, "POST", "/v2/cloudimages/action", {
      body: { name: "ep-bad", image_url: QCOW2_URL, min_disk: 40, enterprise_project_id: "not-an-ep" },
    });
    expectError(res, 400, "IMG.0155");
    expect(res.body.error.message).toBe(
      "Failed to check the enterprise project ID validity. The enterprise project not-an-ep does not exist in this account: " +
        "give 0 for the default enterprise project or the ID of one of the account's enterprise projects (Enterprise Project Management lists them).",
    );
  });

  it("an enterprise project of another account is unknown to this one (IMG.0155)", async () => {
    emu.world.state.enterpriseProjects.push({ id: UNKNOWN_EP, name: "foreign", domainId: "f".repeat(32) });
    try {
      await expectRejected(emu, MAIN, "POST", "/v2/cloudimages/action", { body: { name: "ep-foreign", image_url: QCOW2_URL, min_disk: 40, enterprise_project_id: UNKNOWN_EP } }, 400, "IMG.0155");
    } finally {
      emu.world.state.enterpriseProjects.pop();
    }
  });
});

describe("the image view, the E1 filter and the E2 move", () => {
  let emu: TestEmulator;
  let inDefault: string;
  let inPlatform: string;
  beforeAll(async () => {
    emu = await startTestEmulator({ jobMs: 50 });
    inDefault = await imageFromFile(emu, "in-default");
    inPlatform = createdImageId(await run(emu, { name: "in-platform", image_url: QCOW2_URL, min_disk: 40, enterprise_project_id: PLATFORM_TEAM }));
  });
  afterAll(() => emu.close());

  it("a private image shows enterprise_project_id (0 for the default one); a public image shows none", async () => {
    expect((await imageOf(emu, inDefault)).enterprise_project_id).toBe("0");
    expect((await imageOf(emu, inPlatform)).enterprise_project_id).toBe(PLATFORM_TEAM);
    const gold = await list(emu, "?__imagetype=gold");
    expect(gold.length).toBeGreaterThan(0);
    for (const image of gold) expect(image).not.toHaveProperty("enterprise_project_id");
    // The Glance-compatible view is the same object.
    const native = await emu.as<ImageView>(MAIN, "GET", `/v2/images/${inPlatform}`);
    expect(native.body.enterprise_project_id).toBe(PLATFORM_TEAM);
  });

  it("E1 filters by enterprise_project_id: 0, a UUID, all_granted_eps (private images only), an unknown one (none)", async () => {
    const ids = async (query: string) => (await list(emu, query)).map((i) => i.id).sort();
    expect(await ids("?enterprise_project_id=0")).toEqual([inDefault]);
    expect(await ids(`?enterprise_project_id=${PLATFORM_TEAM}`)).toEqual([inPlatform]);
    expect(await ids("?enterprise_project_id=all_granted_eps")).toEqual([inDefault, inPlatform].sort());
    expect(await ids(`?enterprise_project_id=${UNKNOWN_EP}`)).toEqual([]);
    // Without the filter the public images are listed too.
    expect((await ids("")).length).toBeGreaterThan(2);
  });

  it("E2 moves an image to another enterprise project and back to the default one; add acts as replace", async () => {
    const moved = await moveTo(emu, inDefault, PLATFORM_TEAM);
    expect(moved.status).toBe(200);
    expect(moved.body.enterprise_project_id).toBe(PLATFORM_TEAM);
    expect((await list(emu, `?enterprise_project_id=${PLATFORM_TEAM}`)).map((i) => i.id).sort()).toEqual([inDefault, inPlatform].sort());
    const back = await moveTo(emu, inDefault, "0", "add");
    expect(back.status).toBe(200);
    expect(back.body.enterprise_project_id).toBe("0");
    expect((await imageOf(emu, inDefault)).enterprise_project_id).toBe("0");
  });

  it("E2 refuses an enterprise project the account lacks (IMG.0155) and removing the attribute (IMG.0001), changing nothing", async () => {
    const path = `/v2/cloudimages/${inPlatform}`;
    await expectRejected(emu, MAIN, "PATCH", path, { body: [{ op: "replace", path: "/enterprise_project_id", value: UNKNOWN_EP }] }, 400, "IMG.0155");
    // All operations are checked before any applies: the rename is not applied either.
    await expectRejected(
      emu,
      MAIN,
      "PATCH",
      path,
      { body: [{ op: "replace", path: "/name", value: "renamed" }, { op: "replace", path: "/enterprise_project_id", value: UNKNOWN_EP }] },
      400,
      "IMG.0155",
    );
    await expectRejected(emu, MAIN, "PATCH", path, { body: [{ op: "remove", path: "/enterprise_project_id" }] }, 400, "IMG.0001");
    expect((await imageOf(emu, inPlatform)).enterprise_project_id).toBe(PLATFORM_TEAM);
  });

  it("the Glance-compatible PATCH does not move images between enterprise projects (IMG.0001, naming E2)", async () => {
    const before = emu.snapshot();
    const res = await emu.as<{ error: { message: string } }>(MAIN, "PATCH", `/v2/images/${inDefault}`, {
      raw: JSON.stringify([{ op: "replace", path: "/enterprise_project_id", value: PLATFORM_TEAM }]),
      headers: { "Content-Type": "application/openstack-images-v2.1-json-patch" },
    });
    expectError(res, 400, "IMG.0001");
    expect(res.body.error.message).toContain("PATCH /v2/cloudimages/{image_id}");
    expect(emu.snapshot()).toEqual(before);
  });

  it("a member sees the owner's enterprise project on an image shared with it", async () => {
    await run(emu, { images: [inPlatform], projects: [emu.projectId(ANALYTICS)] }, "/v1/cloudimages/members");
    await run(emu, { images: [inPlatform], project_id: emu.projectId(ANALYTICS), status: "accepted" }, "/v1/cloudimages/members", ANALYTICS, "PUT");
    expect((await imageOf(emu, inPlatform, ANALYTICS)).enterprise_project_id).toBe(PLATFORM_TEAM);
  });
});

describe("worlds saved before enterprise projects existed", () => {
  let emu: TestEmulator;
  let dir: string;
  beforeAll(async () => {
    emu = await startTestEmulator({ jobMs: 50 });
    dir = mkdtempSync(join(tmpdir(), "ims-eps-"));
  });
  afterAll(async () => {
    await emu.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The current world as an older emulator saved it: no enterpriseProjects. */
  function oldWorld(): Partial<WorldState> {
    const state: Partial<WorldState> = emu.snapshot();
    delete state.enterpriseProjects;
    return state;
  }

  it("load with the default enterprise project only, and take 0 and refuse others", async () => {
    const loaded = await emu.request<{ enterpriseProjects: Json[] }>("PUT", "/_emulator/world", { body: oldWorld() });
    expect(loaded.status).toBe(200);
    expect(loaded.body.enterpriseProjects.map((e) => e.id)).toEqual(["0"]);
    expect((await run(emu, { name: "old-world", image_url: QCOW2_URL, min_disk: 40, enterprise_project_id: "0" })).status).toBe("SUCCESS");
    await expectRejected(emu, MAIN, "POST", "/v2/cloudimages/action", { body: { name: "old-world", image_url: QCOW2_URL, min_disk: 40, enterprise_project_id: PLATFORM_TEAM } }, 400, "IMG.0155");
  });

  it("keep the enterprise projects their images name, as projects of the owner's account", async () => {
    const state = oldWorld();
    const image = state.images!.find((i) => i.imagetype === "private")!;
    image.properties.enterprise_project_id = UNKNOWN_EP;
    const loaded = await emu.request<{ enterpriseProjects: Json[] }>("PUT", "/_emulator/world", { body: state });
    expect(loaded.status).toBe(200);
    expect(loaded.body.enterpriseProjects).toContainEqual({ id: UNKNOWN_EP, name: `ep-${UNKNOWN_EP}`, domainId: state.domains![0].id, domain: "ims-emulator" });
    expect((await imageOf(emu, image.id)).enterprise_project_id).toBe(UNKNOWN_EP);
    // The image can move out and back in.
    expect((await moveTo(emu, image.id, "0")).status).toBe(200);
    expect((await moveTo(emu, image.id, UNKNOWN_EP)).body.enterprise_project_id).toBe(UNKNOWN_EP);
  });

  it("a state file without enterpriseProjects starts, and a malformed list is refused", async () => {
    const file = join(dir, "old-state.json");
    const state = oldWorld();
    for (const image of state.images!) delete image.properties.enterprise_project_id;
    writeFileSync(file, JSON.stringify(state));
    const restarted = await startTestEmulator({ stateFile: file });
    try {
      expect(restarted.world.state.enterpriseProjects).toEqual([]);
      // It is written back with the (empty) list.
      await restarted.request("PUT", `/_emulator/enterprise-projects/${UNKNOWN_EP}`, { body: { name: "added-later" } });
      expect(readStateFile(file)!.enterpriseProjects).toEqual([
        { id: UNKNOWN_EP, name: "added-later", domainId: restarted.world.state.domains[0].id },
      ]);
    } finally {
      await restarted.close();
    }
    const bad = await emu.request<Json>("PUT", "/_emulator/world", { body: { ...emu.snapshot(), enterpriseProjects: [{ id: 7 }] } });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain("enterpriseProjects");
  });
});
