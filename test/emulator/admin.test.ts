/**
 * The admin API under /_emulator/: the world and its credentials, reset and load, objects,
 * servers, volumes and backups, faults, job failures, out-of-band drift, the job clock, metrics,
 * and the state file.
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defaultWorldState } from "../../emulator";
import { makeQcow2 } from "../../emulator/domain/disk-format";
import type { WorldState } from "../../emulator/domain/model";
import { startTestEmulator, type TestEmulator } from "../helpers/emulator";

const P1 = "ap-southeast-1";
const P2 = "ap-southeast-1_analytics";
const UBUNTU_FILE = "images-bucket:ubuntu-24.04.qcow2";

type Json = Record<string, unknown>;

const fileImageBody = (name: string, url = UBUNTU_FILE, minDisk = 40): Json => ({
  name,
  image_url: url,
  min_disk: minDisk,
  os_version: "Ubuntu 24.04 server 64bit",
});

const md5 = (bytes: Buffer): string => createHash("md5").update(bytes).digest("hex");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The one image `GET /v2/cloudimages?id=` lists for `project`, or undefined. */
async function listed(emu: TestEmulator, id: string, project = P1): Promise<Json | undefined> {
  const res = await emu.as<{ images: Json[] }>(project, "GET", `/v2/cloudimages?id=${id}`);
  expect(res.status).toBe(200);
  expect(res.body.images.length).toBeLessThanOrEqual(1);
  return res.body.images[0];
}

/** Creates a private image from the default qcow2 file and returns its id. */
async function createImage(emu: TestEmulator, name: string, project = P1): Promise<string> {
  const job = await emu.job(project, "POST", "/v2/cloudimages/action", fileImageBody(name));
  expect(job.status).toBe("SUCCESS");
  return (job.entities as { image_id: string }).image_id;
}

async function jobStatus(emu: TestEmulator, jobId: string, project = P1): Promise<string> {
  const res = await emu.as<Json>(project, "GET", `/v1/${emu.projectId(project)}/jobs/${jobId}`);
  expect(res.status).toBe(200);
  return res.body.status as string;
}

describe("admin API", () => {
  let emu: TestEmulator;
  let pristine: WorldState;

  beforeAll(async () => {
    emu = await startTestEmulator({ jobMs: 100 });
    pristine = emu.snapshot();
  });
  afterAll(() => emu.close());
  afterEach(async () => {
    const res = await emu.request("POST", "/_emulator/reset");
    expect(res.status).toBe(200);
  });

  describe("GET /_emulator/world", () => {
    it("shows the endpoint, regions, projects, users with their password and access keys", async () => {
      const res = await emu.request<Json>("GET", "/_emulator/world");
      expect(res.status).toBe(200);
      const world = res.body as {
        endpoint: string;
        iamEndpoint: string;
        regions: string[];
        projects: { id: string; name: string; region: string }[];
        users: { name: string; password: string; domain: string }[];
        accessKeys: { access: string; secret: string; projectId: string; projectName: string }[];
        objects: { url: string; format: string }[];
      };
      expect(world.endpoint).toBe(emu.url);
      expect(world.iamEndpoint).toBe(`${emu.url}/v3`);
      expect(world.regions).toEqual(["ap-southeast-1", "ap-southeast-3"]);
      expect(world.projects).toEqual(
        expect.arrayContaining([
          { id: emu.projectId(P1), name: P1, region: "ap-southeast-1" },
          { id: emu.projectId(P2), name: P2, region: "ap-southeast-1" },
          { id: emu.projectId("ap-southeast-3"), name: "ap-southeast-3", region: "ap-southeast-3" },
        ]),
      );
      expect(world.users).toEqual([expect.objectContaining({ name: "ims-user", password: "ims-emulator-password", domain: "ims-emulator" })]);
      expect(world.accessKeys.map((k) => k.projectName).sort()).toEqual([P1, P2, "ap-southeast-3"].sort());
      const key = world.accessKeys.find((k) => k.projectName === P1)!;
      expect(key).toEqual(expect.objectContaining({ access: emu.accessKey(P1).access, secret: emu.accessKey(P1).secret, projectId: emu.projectId(P1) }));
      expect(world.objects.map((o) => [o.url, o.format])).toEqual([
        ["images-bucket:ubuntu-24.04.qcow2", "qcow2"],
        ["images-bucket:data-disk.vhd", "vhd"],
      ]);

      // The credentials it shows work: the user's password and the AK/SK pair.
      const token = await emu.request("POST", "/v3/auth/tokens", {
        body: {
          auth: {
            identity: { methods: ["password"], password: { user: { name: world.users[0].name, password: world.users[0].password, domain: { name: "ims-emulator" } } } },
            scope: { project: { name: P2 } },
          },
        },
      });
      expect(token.status).toBe(201);
      const signed = await emu.request<{ images: unknown[] }>("GET", "/v2/cloudimages?__imagetype=gold", { aksk: { access: key.access, secret: key.secret } });
      expect(signed.status).toBe(200);
      expect(signed.body.images).toHaveLength(2);
    });
  });

  describe("reset and load", () => {
    it("reset brings back the default world and drops created images and faults", async () => {
      const id = await createImage(emu, "img-reset");
      expect(await listed(emu, id)).toMatchObject({ id, status: "active" });
      await emu.request("POST", "/_emulator/faults", { body: { route: "/v1/cloudimages/quota", status: 503 } });

      const res = await emu.request<Json>("POST", "/_emulator/reset");
      expect(res.status).toBe(200);
      expect(res.body.images).toBe(3);
      expect(res.body.jobs).toBe(0);
      expect(await listed(emu, id)).toBeUndefined();
      expect(emu.snapshot()).toEqual(pristine);
      const faults = await emu.request<{ faults: unknown[] }>("GET", "/_emulator/faults");
      expect(faults.body.faults).toEqual([]);
      expect((await emu.as(P1, "GET", "/v1/cloudimages/quota")).status).toBe(200);
    });

    it("PUT /_emulator/world loads a world", async () => {
      const state = (await emu.request<WorldState>("GET", "/_emulator/state")).body;
      expect(state.format).toBe("ims-emulator-world/1");
      const domainId = state.domains[0].id;
      state.regions.push({ id: "eu-west-101" });
      state.projects.push({ id: "e".repeat(32), name: "eu-west-101", region: "eu-west-101", domainId });
      state.imageQuota = 7;
      const res = await emu.request<{ regions: string[]; projects: { name: string }[]; imageQuota: number }>("PUT", "/_emulator/world", { body: state });
      expect(res.status).toBe(200);
      expect(res.body.regions).toEqual(["ap-southeast-1", "ap-southeast-3", "eu-west-101"]);
      expect(res.body.projects.map((p) => p.name)).toContain("eu-west-101");
      expect(res.body.imageQuota).toBe(7);

      const quota = await emu.as<{ quotas: { resources: { used: number; quota: number }[] } }>("eu-west-101", "GET", "/v1/cloudimages/quota");
      expect(quota.status).toBe(200);
      expect(quota.body.quotas.resources[0]).toMatchObject({ used: 0, quota: 7 });
      const images = await emu.as<{ images: Json[] }>("eu-west-101", "GET", "/v2/cloudimages");
      expect(images.body.images).toEqual([]);
    });

    it("PUT /_emulator/world rejects a malformed world with 400 and keeps the current one", async () => {
      const before = emu.snapshot();
      const notWorld = await emu.request<Json>("PUT", "/_emulator/world", { body: { format: "something-else" } });
      expect(notWorld.status).toBe(400);
      expect(notWorld.body).toEqual({ error: { code: "EMULATOR.BAD_REQUEST", message: expect.stringContaining("ims-emulator-world/1") } });

      const noImages: Json = { ...before };
      delete noImages.images;
      const missing = await emu.request<Json>("PUT", "/_emulator/world", { body: noImages });
      expect(missing.status).toBe(400);
      expect(JSON.stringify(missing.body)).toContain('\\"images\\" must be an array');

      const shortKey = await emu.request<Json>("PUT", "/_emulator/world", { body: { ...before, tokenKey: "short" } });
      expect(shortKey.status).toBe(400);

      const notJson = await emu.request<Json>("PUT", "/_emulator/world", { raw: "{ not json", headers: { "Content-Type": "application/json" } });
      expect(notJson.status).toBe(400);
      expect(emu.snapshot()).toEqual(before);
    });
  });

  describe("agencies", () => {
    const crossCopy = (imageId: string, agency: string) =>
      emu.as<{ job_id?: string; error?: { code: string } }>(P1, "POST", `/v1/cloudimages/${imageId}/cross_region_copy`, {
        body: { name: "agency-copy", region: "ap-southeast-3", project_name: "ap-southeast-3", agency_name: agency },
      });

    it("the default world's account has ims_admin_agency; PUT adds an agency (201, then 200) and DELETE removes it", async () => {
      const domainId = emu.world.state.domains[0].id;
      const agencies = async () => (await emu.request<{ agencies: Json[] }>("GET", "/_emulator/world")).body.agencies;
      expect(await agencies()).toEqual([{ name: "ims_admin_agency", domainId, domain: "ims-emulator" }]);

      const added = await emu.request<Json>("PUT", "/_emulator/agencies/dr_agency");
      expect(added.status).toBe(201);
      expect(added.body).toEqual({ name: "dr_agency", domainId });
      expect((await emu.request("PUT", "/_emulator/agencies/dr_agency")).status).toBe(200);
      expect(await agencies()).toEqual([
        { name: "ims_admin_agency", domainId, domain: "ims-emulator" },
        { name: "dr_agency", domainId, domain: "ims-emulator" },
      ]);

      expect((await emu.request("DELETE", "/_emulator/agencies/dr_agency")).status).toBe(204);
      expect((await agencies()).map((a) => a.name)).toEqual(["ims_admin_agency"]);
      const again = await emu.request<Json>("DELETE", "/_emulator/agencies/dr_agency");
      expect(again.status).toBe(404);
      expect(again.body).toEqual({ error: { code: "EMULATOR.NOT_FOUND", message: "No agency dr_agency." } });
      const bad = await emu.request<Json>("PUT", `/_emulator/agencies/${encodeURIComponent("bad name!")}`);
      expect(bad.status).toBe(400);
      expect(await agencies()).toHaveLength(1);
    });

    it("a world without agencies loads with ims_admin_agency for each account", async () => {
      const state = emu.snapshot() as Partial<WorldState>;
      delete state.agencies;
      const loaded = await emu.request<{ agencies: Json[] }>("PUT", "/_emulator/world", { body: state });
      expect(loaded.status).toBe(200);
      expect(loaded.body.agencies).toEqual([expect.objectContaining({ name: "ims_admin_agency", domain: "ims-emulator" })]);
      const job = await crossCopy(await createImage(emu, "img-agency"), "ims_admin_agency");
      expect(job.status).toBe(200);
    });

    it("an agency of another account does not serve a cross-region copy", async () => {
      const state = emu.snapshot();
      state.domains.push({ id: "f".repeat(32), name: "other-account" });
      state.agencies = [{ domainId: "f".repeat(32), name: "ims_admin_agency" }];
      expect((await emu.request("PUT", "/_emulator/world", { body: state })).status).toBe(200);
      const res = await crossCopy(await createImage(emu, "img-foreign-agency"), "ims_admin_agency");
      expect(res.status).toBe(400);
      expect(res.body.error?.code).toBe("IMG.0179");
    });

    it("a malformed agencies list is refused", async () => {
      const res = await emu.request<Json>("PUT", "/_emulator/world", { body: { ...emu.snapshot(), agencies: [{ name: 7 }] } });
      expect(res.status).toBe(400);
      expect(JSON.stringify(res.body)).toContain("agencies");
    });
  });

  describe("objects", () => {
    it("round-trips the bytes of an object, and an image can be created from it", async () => {
      const bytes = makeQcow2(12, 64 * 1024);
      bytes.write("payload of the test object", 4096);
      const put = await emu.request<Json>("PUT", "/_emulator/objects/test-bucket/dir/disk%201.qcow2", {
        raw: bytes,
        headers: { "Content-Type": "application/octet-stream" },
      });
      expect(put.status).toBe(201);
      expect(put.body).toEqual({ url: "test-bucket:dir/disk 1.qcow2", size: bytes.length, md5: md5(bytes), format: "qcow2" });

      const get = await fetch(`${emu.url}/_emulator/objects/test-bucket/dir/disk%201.qcow2`);
      expect(get.status).toBe(200);
      expect(get.headers.get("content-md5")).toBe(md5(bytes));
      expect(Buffer.from(await get.arrayBuffer()).equals(bytes)).toBe(true);

      // min_disk must hold the 12 GB the file declares.
      const tooSmall = await emu.as<Json>(P1, "POST", "/v2/cloudimages/action", { body: fileImageBody("img-obj", "test-bucket:dir/disk 1.qcow2", 10) });
      expect(tooSmall.status).toBe(400);
      expect(tooSmall.body).toMatchObject({ error: { code: "IMG.0055" } });

      const job = await emu.job(P1, "POST", "/v2/cloudimages/action", fileImageBody("img-obj", "test-bucket:dir/disk 1.qcow2", 12));
      expect(job.status).toBe("SUCCESS");
      const image = await listed(emu, (job.entities as { image_id: string }).image_id);
      expect(image).toMatchObject({ name: "img-obj", status: "active", checksum: md5(bytes), size: bytes.length, disk_format: "qcow2", min_disk: 12 });

      const missing = await emu.request<Json>("GET", "/_emulator/objects/test-bucket/nothing-here");
      expect(missing.status).toBe(404);
    });

    it("puts a new bucket in the region asked for; another region's bucket cannot be imported", async () => {
      const put = await emu.request("PUT", "/_emulator/objects/remote-bucket/disk.qcow2?region=ap-southeast-3", { raw: makeQcow2(10) });
      expect(put.status).toBe(201);
      const res = await emu.as<Json>(P1, "POST", "/v2/cloudimages/action", { body: fileImageBody("img-remote", "remote-bucket:disk.qcow2") });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ error: { code: "IMG.0058" } });
      const remote = await emu.job("ap-southeast-3", "POST", "/v2/cloudimages/action", fileImageBody("img-remote", "remote-bucket:disk.qcow2"));
      expect(remote.status).toBe("SUCCESS");

      const badRegion = await emu.request("PUT", "/_emulator/objects/other-bucket/x.raw?region=nowhere-1", { raw: Buffer.alloc(16) });
      expect(badRegion.status).toBe(400);
    });
  });

  describe("servers, volumes and backups", () => {
    it("a seeded server becomes an image source", async () => {
      const server = await emu.request<{ id: string; systemVolumeId: string; dataVolumeIds: string[] }>("POST", "/_emulator/servers", {
        body: { projectId: emu.projectId(P1), name: "app-01", osVersion: "CentOS 7.9 64bit", status: "ACTIVE", systemDiskGb: 60, dataDiskGb: [100] },
      });
      expect(server.status).toBe(201);
      expect(server.body.dataVolumeIds).toHaveLength(1);

      const job = await emu.job(P1, "POST", "/v2/cloudimages/action", { name: "from-app-01", instance_id: server.body.id });
      expect(job.status).toBe("SUCCESS");
      expect(job.job_type).toBe("imsCreateImageByInstance");
      const image = await listed(emu, (job.entities as { image_id: string }).image_id);
      expect(image).toMatchObject({ status: "active", min_disk: 60, __os_version: "CentOS 7.9 64bit", __data_origin: `instance,${server.body.id}` });

      // Its data disk can become a data image.
      const data = await emu.job(P1, "POST", "/v2/cloudimages/action", { data_images: [{ name: "app-01-data", volume_id: server.body.dataVolumeIds[0] }] });
      expect(data.status).toBe("SUCCESS");
      const sub = (data.entities as { sub_jobs_result: { entities: { image_id: string } }[] }).sub_jobs_result;
      expect(await listed(emu, sub[0].entities.image_id)).toMatchObject({ name: "app-01-data", virtual_env_type: "DataImage", min_disk: 100 });

      // Another project does not see the server.
      const other = await emu.as<Json>(P2, "POST", "/v2/cloudimages/action", { body: { name: "not-mine", instance_id: server.body.id } });
      expect(other.status).toBe(400);
      expect(other.body).toMatchObject({ error: { code: "IMG.0005" } });
    });

    it("a seeded volume becomes a system image", async () => {
      const volume = await emu.request<{ id: string; sizeGb: number }>("POST", "/_emulator/volumes", {
        body: { projectId: emu.projectId(P1), name: "vol-80", sizeGb: 80, bootable: true },
      });
      expect(volume.status).toBe(201);
      const job = await emu.job(P1, "POST", "/v2/cloudimages/action", { name: "from-vol-80", volume_id: volume.body.id, os_version: "Ubuntu 22.04 server 64bit" });
      expect(job.status).toBe("SUCCESS");
      expect(job.job_type).toBe("imsVolumeCreateImageJob");
      expect(await listed(emu, (job.entities as { image_id: string }).image_id)).toMatchObject({ min_disk: 80, __data_origin: `volume,${volume.body.id}` });
    });

    it("a seeded CBR backup becomes a full-ECS image, once", async () => {
      const server = await emu.request<{ id: string }>("POST", "/_emulator/servers", { body: { projectId: emu.projectId(P1), name: "db-01" } });
      const backup = await emu.request<{ id: string; kind: string; serverId: string }>("POST", "/_emulator/backups", {
        body: { projectId: emu.projectId(P1), serverId: server.body.id, kind: "CBR", name: "db-01-backup" },
      });
      expect(backup.status).toBe(201);
      expect(backup.body).toMatchObject({ kind: "CBR", serverId: server.body.id, name: "db-01-backup" });

      const body = { name: "whole-db-01", backup_id: backup.body.id, whole_image_type: "CBR" };
      const job = await emu.job(P1, "POST", "/v1/cloudimages/wholeimages/action", body);
      expect(job.status).toBe("SUCCESS");
      expect(job.job_type).toBe("imsCreateWholeImageByBackupJob");
      expect(await listed(emu, (job.entities as { image_id: string }).image_id)).toMatchObject({
        name: "whole-db-01",
        status: "active",
        __whole_image: "true",
        __backup_id: backup.body.id,
      });
      const again = await emu.as<Json>(P1, "POST", "/v1/cloudimages/wholeimages/action", { body: { ...body, name: "whole-db-01-again" } });
      expect(again.status).toBe(400);
      expect(again.body).toMatchObject({ error: { code: "IMG.0029" } });
    });

    it("rejects seeds that do not fit the world", async () => {
      const unknownOs = await emu.request<Json>("POST", "/_emulator/servers", { body: { osVersion: "Plan 9 64bit" } });
      expect(unknownOs.status).toBe(400);
      expect(unknownOs.body).toMatchObject({ error: { code: "EMULATOR.BAD_REQUEST" } });
      const noServer = await emu.request("POST", "/_emulator/backups", { body: { serverId: "00000000-0000-4000-a000-000000000000" } });
      expect(noServer.status).toBe(400);
      const noProject = await emu.request("POST", "/_emulator/volumes", { body: { projectId: "f".repeat(32) } });
      expect(noProject.status).toBe(400);
      const notObject = await emu.request("POST", "/_emulator/volumes", { body: [1, 2] });
      expect(notObject.status).toBe(400);
    });

    it("a seeded access key signs requests for its project", async () => {
      const key = await emu.request<{ access: string; secret: string }>("POST", "/_emulator/access-keys", { body: { projectId: emu.projectId(P2) } });
      expect(key.status).toBe(201);
      const quota = await emu.request<Json>("GET", "/v1/cloudimages/quota", { aksk: { access: key.body.access, secret: key.body.secret } });
      expect(quota.status).toBe(200);
      const wrong = await emu.request<Json>("GET", "/v1/cloudimages/quota", { aksk: { access: key.body.access, secret: "x".repeat(40) } });
      expect(wrong.status).toBe(401);
    });
  });

  describe("faults", () => {
    it("a 429 rule with count 2 throttles twice in the gateway shape, then lets requests through", async () => {
      await emu.token(P1);
      const rule = await emu.request<Json>("POST", "/_emulator/faults", { body: { method: "GET", route: "/v2/cloudimages", status: 429, count: 2 } });
      expect(rule.status).toBe(201);
      expect(rule.body).toMatchObject({ method: "GET", route: "/v2/cloudimages", status: 429, remaining: 2, hits: 0 });

      for (let i = 0; i < 2; i++) {
        const res = await emu.as<Json>(P1, "GET", "/v2/cloudimages");
        expect(res.status).toBe(429);
        expect(Object.keys(res.body).sort()).toEqual(["error_code", "error_msg", "request_id"]);
        expect(res.body.error_code).toBe("APIGW.0308");
        expect(res.body.error_msg).toMatch(/^The throttling threshold has been reached/);
        expect(res.body.request_id).toMatch(/^[0-9a-f]{32}$/);
        expect(res.headers.get("retry-after")).toBe("1");
      }
      // Other routes are not affected, and the third request passes.
      expect((await emu.as(P1, "GET", "/v2/images")).status).toBe(200);
      const third = await emu.as<{ images: unknown[] }>(P1, "GET", "/v2/cloudimages");
      expect(third.status).toBe(200);
      expect(third.body.images).toHaveLength(2);
      const list = await emu.request<{ faults: unknown[] }>("GET", "/_emulator/faults");
      expect(list.body.faults).toEqual([]);
    });

    it("a 503 rule answers with the IMS error code it names", async () => {
      const gold = (await emu.as<{ images: { id: string }[] }>(P1, "GET", "/v2/cloudimages?__imagetype=gold")).body.images[0].id;
      const rule = await emu.request("POST", "/_emulator/faults", {
        body: { method: "GET", route: "/v2/images/{image_id}", status: 503, errorCode: "IMG.0061", message: "An unknown system error occurred.", count: 1 },
      });
      expect(rule.status).toBe(201);
      const res = await emu.as<Json>(P1, "GET", `/v2/images/${gold}`);
      expect(res.status).toBe(503);
      expect(res.body).toEqual({ error: { code: "IMG.0061", message: "An unknown system error occurred." } });
      const after = await emu.as<Json>(P1, "GET", `/v2/images/${gold}`);
      expect(after.status).toBe(200);
      expect(after.body.id).toBe(gold);
    });

    it("a rule with probability 0 never fires", async () => {
      const rule = await emu.request<{ id: number }>("POST", "/_emulator/faults", { body: { route: "/v2/cloudimages", status: 500, probability: 0 } });
      expect(rule.status).toBe(201);
      for (let i = 0; i < 25; i++) expect((await emu.as(P1, "GET", "/v2/cloudimages")).status).toBe(200);
      const list = await emu.request<{ faults: { id: number; hits: number }[] }>("GET", "/_emulator/faults");
      expect(list.body.faults).toEqual([expect.objectContaining({ id: rule.body.id, hits: 0, probability: 0 })]);
    });

    it("latencyMs delays the answer by at least that long", async () => {
      await emu.token(P1);
      const rule = await emu.request("POST", "/_emulator/faults", { body: { route: "/v1/cloudimages/quota", latencyMs: 300 } });
      expect(rule.status).toBe(201);
      const started = performance.now();
      const res = await emu.as(P1, "GET", "/v1/cloudimages/quota");
      const elapsed = performance.now() - started;
      expect(res.status).toBe(200);
      // (Node timers have millisecond granularity.)
      expect(elapsed).toBeGreaterThanOrEqual(299);
    });

    it("answerDelayMs carries the request out at once and holds its answer back", async () => {
      await emu.token(P1);
      const rule = await emu.request("POST", "/_emulator/faults", { body: { route: "/v2/cloudimages/action", method: "POST", answerDelayMs: 400, count: 1 } });
      expect(rule.status).toBe(201);
      const started = performance.now();
      const pending = emu.as<{ job_id: string }>(P1, "POST", "/v2/cloudimages/action", {
        body: { name: "answer-held", image_url: "images-bucket:ubuntu-24.04.qcow2", min_disk: 40, os_version: "Ubuntu 24.04 server 64bit" },
      });
      await new Promise((r) => setTimeout(r, 200));
      // The answer has not come, but the image is being made.
      expect(emu.world.state.images.some((i) => i.name === "answer-held")).toBe(true);
      const res = await pending;
      expect(res.status).toBe(200);
      expect(performance.now() - started).toBeGreaterThanOrEqual(399);
    });

    it("reset: true closes the connection without an answer", async () => {
      await emu.token(P1);
      const rule = await emu.request("POST", "/_emulator/faults", { body: { route: "/v1/cloudimages/quota", method: "GET", reset: true, count: 1 } });
      expect(rule.status).toBe(201);
      await expect(emu.as(P1, "GET", "/v1/cloudimages/quota")).rejects.toThrow();
      expect((await emu.as(P1, "GET", "/v1/cloudimages/quota")).status).toBe(200);
    });

    it("DELETE /_emulator/faults clears every rule; DELETE /_emulator/faults/{id} one", async () => {
      await emu.token(P1);
      const a = await emu.request<{ id: number }>("POST", "/_emulator/faults", { body: { route: "/v2/cloudimages", status: 502 } });
      const b = await emu.request<{ id: number }>("POST", "/_emulator/faults", { body: { route: "/v1/cloudimages/quota", status: 504 } });
      const c = await emu.request<{ id: number }>("POST", "/_emulator/faults", { body: { route: "/v2/images", status: 503 } });
      expect((await emu.as(P1, "GET", "/v2/cloudimages")).status).toBe(502);
      expect((await emu.as(P1, "GET", "/v1/cloudimages/quota")).status).toBe(504);

      expect((await emu.request("DELETE", `/_emulator/faults/${c.body.id}`)).status).toBe(204);
      expect((await emu.request("DELETE", `/_emulator/faults/${c.body.id}`)).status).toBe(404);
      expect((await emu.as(P1, "GET", "/v2/images")).status).toBe(200);
      const list = await emu.request<{ faults: { id: number }[] }>("GET", "/_emulator/faults");
      expect(list.body.faults.map((f) => f.id)).toEqual([a.body.id, b.body.id]);

      expect((await emu.request("DELETE", "/_emulator/faults")).status).toBe(204);
      expect((await emu.request<{ faults: unknown[] }>("GET", "/_emulator/faults")).body.faults).toEqual([]);
      expect((await emu.as(P1, "GET", "/v2/cloudimages")).status).toBe(200);
      expect((await emu.as(P1, "GET", "/v1/cloudimages/quota")).status).toBe(200);
    });

    it("rejects rules that make no sense", async () => {
      for (const body of [{ route: "/v2/cloudimages", status: 200 }, { route: "/v2/cloudimages" }, { status: 503, probability: 2 }, { status: 503, latencyMs: -1 }, { status: 503, count: 0 }, { status: 503, count: "2" }, [1]]) {
        const res = await emu.request<Json>("POST", "/_emulator/faults", { body });
        expect(res.status).toBe(400);
        expect(res.body).toMatchObject({ error: { code: "EMULATOR.BAD_REQUEST" } });
      }
      expect((await emu.request<{ faults: unknown[] }>("GET", "/_emulator/faults")).body.faults).toEqual([]);
    });
  });

  describe("job failures", () => {
    it("makes the next job of a type fail with the given code and reason; the image is killed", async () => {
      const rule = await emu.request<Json>("POST", "/_emulator/job-failures", {
        body: { jobType: "imsImportImageJob", errorCode: "IMG.0057", failReason: "The image file is truncated." },
      });
      expect(rule.status).toBe(201);
      expect(rule.body).toEqual({ jobType: "imsImportImageJob", remaining: 1, errorCode: "IMG.0057", failReason: "The image file is truncated." });
      // A rule for another job type stays put.
      await emu.request("POST", "/_emulator/job-failures", { body: { jobType: "imsCopyImageInRegionJob", count: 1 } });

      const failed = await emu.job(P1, "POST", "/v2/cloudimages/action", fileImageBody("img-fails"));
      expect(failed).toMatchObject({ status: "FAIL", job_type: "imsImportImageJob", error_code: "IMG.0057", fail_reason: "The image file is truncated." });
      const killedId = (failed.entities as { image_id: string }).image_id;
      expect(await listed(emu, killedId)).toMatchObject({ name: "img-fails", status: "killed" });

      const next = await emu.job(P1, "POST", "/v2/cloudimages/action", fileImageBody("img-works"));
      expect(next).toMatchObject({ status: "SUCCESS", error_code: null, fail_reason: null });
      expect(await listed(emu, (next.entities as { image_id: string }).image_id)).toMatchObject({ status: "active" });

      const left = await emu.request<{ jobFailures: { jobType: string }[] }>("GET", "/_emulator/faults");
      expect(left.body.jobFailures).toEqual([expect.objectContaining({ jobType: "imsCopyImageInRegionJob", remaining: 1 })]);
    });
  });

  describe("out-of-band drift", () => {
    it("PATCH changes name, description, min_ram and tags as the APIs then show them", async () => {
      const id = await createImage(emu, "img-drift");
      const res = await emu.request<Json>("PATCH", `/_emulator/images/${id}`, {
        body: { name: "renamed-in-console", description: "changed by hand", minRam: 2048, tags: { env: "prod", team: "core" } },
      });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ id, name: "renamed-in-console", status: "active" });

      const image = await listed(emu, id);
      expect(image).toMatchObject({ name: "renamed-in-console", __description: "changed by hand", min_ram: 2048 });
      expect((image!.tags as string[]).sort()).toEqual(["env=prod", "team=core"]);
      const native = await emu.as<Json>(P1, "GET", `/v2/images/${id}`);
      expect(native.body).toMatchObject({ name: "renamed-in-console", min_ram: 2048 });

      // Invalid drift is refused and changes nothing.
      const before = emu.snapshot();
      const bad = await emu.request<Json>("PATCH", `/_emulator/images/${id}`, { body: { name: "bad/name", minRam: 4096 } });
      expect(bad.status).toBe(400);
      expect(emu.snapshot()).toEqual(before);
      expect((await emu.request("PATCH", "/_emulator/images/00000000-0000-4000-a000-000000000000", { body: { name: "x" } })).status).toBe(404);
    });

    it("DELETE makes the image disappear", async () => {
      const id = await createImage(emu, "img-gone");
      expect((await emu.request("DELETE", `/_emulator/images/${id}`)).status).toBe(204);
      expect(await listed(emu, id)).toBeUndefined();
      expect((await emu.as(P1, "GET", `/v2/images/${id}`)).status).toBe(404);
      expect((await emu.request("DELETE", `/_emulator/images/${id}`)).status).toBe(404);
    });
  });

  describe("clock", () => {
    afterEach(async () => {
      await emu.request("POST", "/_emulator/clock", { body: { paused: false, speed: 1 } });
      await emu.request("PUT", "/_emulator/timing", { body: { defaultMs: 100, jitter: 0 } });
    });

    it("a paused clock holds a job in INIT however long one waits; advanceMs moves it on", async () => {
      const paused = await emu.request<Json>("POST", "/_emulator/clock", { body: { paused: true } });
      expect(paused.status).toBe(200);
      expect(paused.body).toMatchObject({ paused: true, speed: 1 });

      const submit = await emu.as<{ job_id: string }>(P1, "POST", "/v2/cloudimages/action", { body: fileImageBody("img-clock") });
      expect(submit.status).toBe(200);
      const jobId = submit.body.job_id;
      await sleep(500); // five times the job's duration
      expect(await jobStatus(emu, jobId)).toBe("INIT");
      const job = await emu.as<{ entities: { image_id: string } }>(P1, "GET", `/v1/${emu.projectId(P1)}/jobs/${jobId}`);
      const imageId = job.body.entities.image_id;
      expect(await listed(emu, imageId)).toMatchObject({ status: "queued" });

      // 20% of the duration is INIT, then RUNNING until the end.
      await emu.request("POST", "/_emulator/clock", { body: { advanceMs: 50 } });
      expect(await jobStatus(emu, jobId)).toBe("RUNNING");
      expect(await listed(emu, imageId)).toMatchObject({ status: "saving" });
      await sleep(300);
      expect(await jobStatus(emu, jobId)).toBe("RUNNING");

      const advanced = await emu.request<Json>("POST", "/_emulator/clock", { body: { advanceMs: 60 } });
      expect(advanced.body).toMatchObject({ paused: true });
      expect(await jobStatus(emu, jobId)).toBe("SUCCESS");
      expect(await listed(emu, imageId)).toMatchObject({ status: "active" });
    });

    it("speed makes a one-minute job finish within the poll timeout", async () => {
      const timing = await emu.request<Json>("PUT", "/_emulator/timing", { body: { defaultMs: 60_000 } });
      expect(timing.body).toMatchObject({ defaultMs: 60_000 });
      const fast = await emu.request<Json>("POST", "/_emulator/clock", { body: { speed: 2000 } });
      expect(fast.body).toMatchObject({ paused: false, speed: 2000 });
      const clock = await emu.request<Json>("GET", "/_emulator/clock");
      expect(clock.body).toMatchObject({ speed: 2000, timing: expect.objectContaining({ defaultMs: 60_000 }) });

      const job = await emu.job(P1, "POST", "/v2/cloudimages/action", fileImageBody("img-fast"));
      expect(job.status).toBe("SUCCESS");

      for (const body of [{ speed: 0 }, { speed: -2 }, { advanceMs: -5 }]) {
        expect((await emu.request("POST", "/_emulator/clock", { body })).status).toBe(400);
      }
    });
  });

  describe("metrics", () => {
    it("counts requests per route template and status, with latencies and token issuances", async () => {
      const token = await emu.token(P1);
      expect((await emu.request("DELETE", "/_emulator/metrics")).status).toBe(204);
      const passwordBody = (password: string) => ({
        auth: {
          identity: { methods: ["password"], password: { user: { name: "ims-user", password, domain: { name: "ims-emulator" } } } },
          scope: { project: { name: P1 } },
        },
      });
      for (let i = 0; i < 3; i++) expect((await emu.request("GET", "/v2/cloudimages", { token })).status).toBe(200);
      for (const id of ["a", "b"]) expect((await emu.request("GET", `/v2/images/${id}`, { token })).status).toBe(404);
      expect((await emu.request("GET", "/no/such/api", { token })).status).toBe(404);
      expect((await emu.request("POST", "/v3/auth/tokens", { body: passwordBody("ims-emulator-password") })).status).toBe(201);
      expect((await emu.request("POST", "/v3/auth/tokens", { body: passwordBody("ims-emulator-password") })).status).toBe(201);
      expect((await emu.request("POST", "/v3/auth/tokens", { body: passwordBody("wrong") })).status).toBe(401);

      const res = await emu.request<{ tokenIssuances: number; requests: number; routes: { method: string; route: string; status: number; count: number; meanMs: number; p50Ms: number; p99Ms: number }[] }>(
        "GET",
        "/_emulator/metrics",
      );
      expect(res.status).toBe(200);
      const m = res.body;
      const entry = (method: string, route: string, status: number) => m.routes.find((r) => r.method === method && r.route === route && r.status === status);
      expect(m.tokenIssuances).toBe(2);
      expect(entry("GET", "/v2/cloudimages", 200)?.count).toBe(3);
      expect(entry("GET", "/v2/images/{image_id}", 404)?.count).toBe(2);
      expect(entry("GET", "(unmatched)", 404)?.count).toBe(1);
      expect(entry("POST", "/v3/auth/tokens", 201)?.count).toBe(2);
      expect(entry("POST", "/v3/auth/tokens", 401)?.count).toBe(1);
      // The DELETE that reset the metrics is counted after its answer.
      expect(entry("DELETE", "/_emulator/metrics", 204)?.count).toBe(1);
      expect(m.requests).toBe(m.routes.reduce((n, r) => n + r.count, 0));
      expect(m.requests).toBe(10);
      for (const r of m.routes) {
        expect(typeof r.p50Ms).toBe("number");
        expect(r.p50Ms).toBeGreaterThanOrEqual(0);
        expect(r.p99Ms).toBeGreaterThanOrEqual(r.p50Ms);
        expect(r.meanMs).toBeGreaterThan(0);
      }

      expect((await emu.request("DELETE", "/_emulator/metrics")).status).toBe(204);
      const after = await emu.request<{ tokenIssuances: number; routes: { route: string }[] }>("GET", "/_emulator/metrics");
      expect(after.body.tokenIssuances).toBe(0);
      expect(after.body.routes.map((r) => r.route)).toEqual(["/_emulator/metrics"]);
    });
  });
});

describe("state file", () => {
  let dir: string;
  const running: TestEmulator[] = [];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "ims-emulator-state-"));
  });
  afterEach(async () => {
    await Promise.all(running.splice(0).map((e) => e.close()));
    rmSync(dir, { recursive: true, force: true });
  });

  const start = async (stateFile: string, jobMs = 100): Promise<TestEmulator> => {
    const emu = await startTestEmulator({ stateFile, jobMs });
    running.push(emu);
    return emu;
  };
  const stop = async (emu: TestEmulator): Promise<void> => {
    running.splice(running.indexOf(emu), 1);
    await emu.close();
  };

  it("keeps images and the token key across a restart", async () => {
    const file = join(dir, "world.json");
    const first = await start(file);
    expect(existsSync(file)).toBe(true);
    const id = await createImage(first, "img-persisted");
    const token = await first.token(P1);
    await stop(first);

    const saved = JSON.parse(readFileSync(file, "utf8")) as WorldState;
    expect(saved.images.find((i) => i.id === id)).toMatchObject({ name: "img-persisted", status: "active" });

    const second = await start(file);
    const res = await second.request<{ images: Json[] }>("GET", `/v2/cloudimages?id=${id}`, { token });
    expect(res.status).toBe(200);
    expect(res.body.images).toEqual([expect.objectContaining({ id, name: "img-persisted", status: "active" })]);
    // The AK/SK pairs are the same too.
    const key = first.world.state.accessKeys[0];
    expect(second.accessKey(P1)).toEqual(key);
  });

  it("a state file written before agencies existed loads with ims_admin_agency", async () => {
    const file = join(dir, "world.json");
    const first = await start(file);
    await stop(first);
    const saved = JSON.parse(readFileSync(file, "utf8")) as Partial<WorldState>;
    delete saved.agencies;
    writeFileSync(file, JSON.stringify(saved));

    const second = await start(file);
    expect(second.world.state.agencies).toEqual([{ domainId: saved.domains![0].id, name: "ims_admin_agency" }]);
    const id = await createImage(second, "img-old-file");
    const copy = await second.job(P1, "POST", `/v1/cloudimages/${id}/cross_region_copy`, {
      name: "img-old-file-remote",
      region: "ap-southeast-3",
      project_name: "ap-southeast-3",
      agency_name: "ims_admin_agency",
    });
    expect(copy.status).toBe("SUCCESS");
  });

  it("a world given to startEmulator without agencies gets ims_admin_agency too", async () => {
    const { agencies: _, ...world } = defaultWorldState();
    const emu = await startTestEmulator({ world });
    running.push(emu);
    expect(emu.emulator.summary().agencies).toEqual([expect.objectContaining({ name: "ims_admin_agency", domain: "ims-emulator" })]);
  });

  it("an in-flight job survives a restart and completes afterwards", async () => {
    const file = join(dir, "world.json");
    const first = await start(file, 2000);
    const submit = await first.as<{ job_id: string }>(P1, "POST", "/v2/cloudimages/action", { body: fileImageBody("img-in-flight") });
    expect(submit.status).toBe(200);
    await stop(first);

    const saved = JSON.parse(readFileSync(file, "utf8")) as WorldState;
    const savedJob = saved.jobs.find((j) => j.id === submit.body.job_id);
    expect(savedJob).toMatchObject({ status: "INIT", settled: false });

    const second = await start(file, 100);
    const job = await second.waitJob(submit.body.job_id);
    expect(job.status).toBe("SUCCESS");
    const imageId = (job.entities as { image_id: string }).image_id;
    expect(await listed(second, imageId)).toMatchObject({ name: "img-in-flight", status: "active" });
  });

  it("the file is complete JSON whenever another process reads it, while the world is written whole", async () => {
    const file = join(dir, "world.json");
    const stopFile = join(dir, "stop");
    const emu = await start(file);
    // A 3 MB object makes every write of the whole world take a while.
    const big = Buffer.alloc(3 * 1024 * 1024, 7);
    expect((await emu.request("PUT", "/_emulator/objects/big-bucket/big.raw", { raw: big })).status).toBe(201);
    const state = (await emu.request<WorldState>("GET", "/_emulator/state")).body;

    const reader = spawn(
      process.execPath,
      [
        "-e",
        `const fs = require("fs");
         const [file, stop] = process.argv.slice(1);
         let reads = 0, bad = 0, first = "";
         while (!fs.existsSync(stop)) {
           let text;
           try { text = fs.readFileSync(file, "utf8"); } catch (e) { bad++; first ||= String(e); continue; }
           reads++;
           try { JSON.parse(text); } catch (e) { bad++; first ||= "length " + text.length + ": " + e.message; }
         }
         process.stdout.write(JSON.stringify({ reads, bad, first }));`,
        file,
        stopFile,
      ],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    let out = "";
    reader.stdout.on("data", (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => reader.on("exit", resolve));

    // A world loaded through the admin API is written whole.
    for (let i = 0; i < 40; i++) {
      const res = await emu.request("PUT", "/_emulator/world", { body: { ...state, imageQuota: 100 + i } });
      expect(res.status).toBe(200);
    }
    writeFileSync(stopFile, "");
    expect(await exited).toBe(0);
    const result = JSON.parse(out) as { reads: number; bad: number; first: string };
    expect(result.reads).toBeGreaterThan(10);
    expect(result).toEqual({ reads: result.reads, bad: 0, first: "" });

    const saved = JSON.parse(readFileSync(file, "utf8")) as WorldState;
    expect(saved.imageQuota).toBe(139);
    expect(saved.objects.filter((o) => o.bucket === "big-bucket")).toHaveLength(1);
    // No temporary file is left behind: the state file and its journal.
    expect(readdirSync(dir).sort()).toEqual(["stop", "world.json", "world.json.journal"]);
  });
});
