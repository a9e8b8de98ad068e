/**
 * The state file and its journal: every change a request makes is in the journal when it is
 * answered (the world the file holds is the live world after every request), a killed emulator
 * restarts with every answered change, a journal line cut short by a kill is dropped, the world is
 * written whole when the journal outgrows it, and state files of earlier versions still load.
 */
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defaultWorldState } from "../../emulator";
import type { WorldState } from "../../emulator/domain/model";
import { readStateFile } from "../../emulator/persist";
import { startTestEmulator, type TestEmulator } from "../helpers/emulator";
import { EmulatorProcess } from "../helpers/emulator-process";
import { ANALYTICS, MAIN, QCOW2_URL, VHD_URL, createdImageId, fixtures, run, type JobView } from "./support";

const journalOf = (file: string): string => `${file}.journal`;
const journalLines = (file: string): string[] => readFileSync(journalOf(file), "utf8").split("\n").filter((l) => l !== "");
const asJson = (state: WorldState): WorldState => JSON.parse(JSON.stringify(state)) as WorldState;

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "ims-state-file-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("the journal holds every change when the request is answered", () => {
  let emu: TestEmulator;
  let file: string;

  beforeEach(async () => {
    file = join(dir, "world.json");
    emu = await startTestEmulator({ stateFile: file, jobMs: 60 });
  });
  afterEach(() => emu.close());

  /** The world the state file holds is the live world. */
  const expectPersisted = (): void => {
    expect(readStateFile(file)).toEqual(asJson(emu.world.state));
  };

  /** Runs each step, then checks that the state file holds the live world. */
  async function steps(list: [string, () => Promise<unknown>][]): Promise<void> {
    for (const [name, step] of list) {
      await step();
      try {
        expectPersisted();
      } catch (e) {
        throw new Error(`after ${name}, the state file does not hold the live world:\n${(e as Error).message}`, { cause: e });
      }
    }
  }

  const JSON_PATCH = { "Content-Type": "application/openstack-images-v2.1-json-patch" };
  const ok = async (res: Promise<{ status: number; text: string }>): Promise<void> => {
    const r = await res;
    if (r.status >= 300) throw new Error(`answered ${r.status}: ${r.text}`);
  };
  const succeeds = async (job: Promise<JobView>): Promise<JobView> => {
    const j = await job;
    expect(j.status).toBe("SUCCESS");
    return j;
  };

  it("images from every source, updates, tags, members, copies, exports and deletions", async () => {
    const { serverId, backupId } = fixtures(emu);
    const p = emu.projectId(MAIN);
    const analytics = emu.projectId(ANALYTICS);
    let fromFile = "";
    let fromServer = "";
    let metadata = "";
    let uploaded = "";
    let copy = "";
    await steps([
      ["an image from a file", async () => (fromFile = createdImageId(await run(emu, { name: "j-file", image_url: QCOW2_URL, min_disk: 40, tags: ["team.a"] })))],
      ["an image with a data image", () => succeeds(run(emu, { name: "j-multi", image_url: QCOW2_URL, min_disk: 40, data_images: [{ image_url: VHD_URL, min_disk: 40 }] }))],
      ["an image from a server", async () => (fromServer = createdImageId(await run(emu, { name: "j-server", instance_id: serverId })))],
      ["a full-ECS image from a backup", () => succeeds(run(emu, { name: "j-whole", backup_id: backupId, whole_image_type: "CBR" }, "/v1/cloudimages/wholeimages/action"))],
      ["POST /v2/images", async () => (metadata = (await emu.as<{ id: string }>(MAIN, "POST", "/v2/images", { body: { name: "j-meta", disk_format: "qcow2", tags: ["k=v"] } })).body.id)],
      ["a file registered", () => succeeds(run(emu, { image_url: QCOW2_URL }, `/v1/cloudimages/${metadata}/upload`, MAIN, "PUT"))],
      ["another POST /v2/images", async () => (uploaded = (await emu.as<{ id: string }>(MAIN, "POST", "/v2/images", { body: { name: "j-upload" } })).body.id)],
      ["its file uploaded", () => ok(emu.as(MAIN, "PUT", `/v2/images/${uploaded}/file`, { raw: Buffer.from("raw bytes"), headers: { "Content-Type": "application/octet-stream" } }))],
      ["PATCH /v2/cloudimages", () => ok(emu.as(MAIN, "PATCH", `/v2/cloudimages/${fromFile}`, { body: [{ op: "replace", path: "/name", value: "j-renamed" }], headers: JSON_PATCH }))],
      ["PATCH /v2/images", () => ok(emu.as(MAIN, "PATCH", `/v2/images/${fromFile}`, { body: [{ op: "add", path: "/team", value: "j" }], headers: JSON_PATCH }))],
      ["a tag added", () => ok(emu.as(MAIN, "POST", `/v2/${p}/images/${fromFile}/tags`, { body: { tag: { key: "stage", value: "prod" } } }))],
      ["tags added in a batch", () => ok(emu.as(MAIN, "POST", `/v2/${p}/images/${fromFile}/tags/action`, { body: { action: "create", tags: [{ key: "a", value: "1" }] } }))],
      ["tags removed in a batch", () => ok(emu.as(MAIN, "POST", `/v2/${p}/images/${fromFile}/tags/action`, { body: { action: "delete", tags: [{ key: "a" }] } }))],
      ["a legacy tag", () => ok(emu.as(MAIN, "PUT", "/v1/cloudimages/tags", { body: { image_id: fromFile, tag: "legacy.tag" } }))],
      ["a Glance tag", () => ok(emu.as(MAIN, "PUT", `/v2/images/${fromFile}/tags/bare`))],
      ["a Glance tag removed", () => ok(emu.as(MAIN, "DELETE", `/v2/images/${fromFile}/tags/bare`))],
      ["a tag removed", () => ok(emu.as(MAIN, "DELETE", `/v2/${p}/images/${fromFile}/tags/stage`))],
      ["a share", () => succeeds(run(emu, { images: [fromServer], projects: [analytics] }, "/v1/cloudimages/members"))],
      ["the share accepted", () => succeeds(run(emu, { images: [fromServer], project_id: analytics, status: "accepted" }, "/v1/cloudimages/members", ANALYTICS, "PUT"))],
      ["the share ended", () => succeeds(run(emu, { images: [fromServer], projects: [analytics] }, "/v1/cloudimages/members", MAIN, "DELETE"))],
      ["a Glance member", () => ok(emu.as(MAIN, "POST", `/v2/images/${fromFile}/members`, { body: { member: analytics } }))],
      ["the member accepts", () => ok(emu.as(ANALYTICS, "PUT", `/v2/images/${fromFile}/members/${analytics}`, { body: { status: "accepted" } }))],
      ["the member removed", () => ok(emu.as(MAIN, "DELETE", `/v2/images/${fromFile}/members/${analytics}`))],
      ["a copy", async () => (copy = createdImageId(await run(emu, { name: "j-copy" }, `/v1/cloudimages/${fromFile}/copy`)))],
      [
        "a copy to another region",
        () =>
          succeeds(run(emu, { name: "j-remote", region: "ap-southeast-3", project_name: "ap-southeast-3", agency_name: "ims_admin_agency" }, `/v1/cloudimages/${fromFile}/cross_region_copy`)),
      ],
      ["an export", () => succeeds(run(emu, { bucket_url: "images-bucket:exports/j-file.qcow2", file_format: "qcow2" }, `/v1/cloudimages/${fromFile}/file`))],
      ["a deletion", () => ok(emu.as(MAIN, "DELETE", `/v2/images/${copy}`))],
      ["a deletion with the v1.1 API", () => ok(emu.as(MAIN, "DELETE", `/v1.1/images/${uploaded}`))],
    ]);
  });

  it("temporary keys, and every change of the admin API", async () => {
    const token = await emu.token(MAIN);
    const issued = await emu.request("POST", "/v3.0/OS-CREDENTIAL/securitytokens", { token, body: { auth: { identity: { methods: ["token"], token: { duration_seconds: 900 } } } } });
    expect(issued.status).toBe(201);
    expectPersisted();

    const id = await emu.privateImage("j-admin");
    const admin = async (method: string, path: string, body?: unknown, raw?: Buffer): Promise<void> => {
      const res = await emu.request(method, `/_emulator${path}`, raw ? { raw } : body !== undefined ? { body } : {});
      expect(res.status).toBeLessThan(300);
      expectPersisted();
    };
    await admin("PUT", "/agencies/j-agency");
    await admin("DELETE", "/agencies/j-agency");
    await admin("PUT", "/enterprise-projects/0b6f4b1c-8a8e-4c7e-9a51-1f0f3c0d2e11", { name: "j-team" });
    await admin("PUT", "/objects/images-bucket/j/one.raw", undefined, Buffer.from("one"));
    await admin("PUT", "/objects/images-bucket/j/one.raw", undefined, Buffer.from("one, again"));
    await admin("POST", "/servers", { name: "j-server", dataDiskGb: [20] });
    await admin("POST", "/volumes", { name: "j-volume" });
    await admin("POST", "/access-keys", {});
    await admin("PATCH", `/images/${id}`, { name: "j-drifted", tags: { drift: "yes" } });
    await admin("PUT", `/images/${id}/members/${emu.projectId(ANALYTICS)}`, { status: "accepted" });
    await admin("DELETE", `/images/${id}/members/${emu.projectId(ANALYTICS)}`);
    await admin("DELETE", `/images/${id}`);
    await admin("DELETE", "/enterprise-projects/0b6f4b1c-8a8e-4c7e-9a51-1f0f3c0d2e11");
    // The whole world replaced: written whole, the journal emptied.
    await admin("PUT", "/world", { ...emu.snapshot(), imageQuota: 77 });
    expect(statSync(journalOf(file)).size).toBe(0);
    expect((JSON.parse(readFileSync(file, "utf8")) as WorldState).imageQuota).toBe(77);
    await admin("POST", "/reset");
  });

  it("a read writes nothing; a change writes one line of what it changed, not the world", async () => {
    const id = await emu.privateImage("j-line");
    const before = journalLines(file).length;
    expect((await emu.as(MAIN, "GET", `/v2/cloudimages?id=${id}`)).status).toBe(200);
    expect((await emu.as(MAIN, "GET", "/v2/cloudimages")).status).toBe(200);
    expect(journalLines(file)).toHaveLength(before);

    const patch = [{ op: "add", path: "/__description", value: "one line" }];
    expect((await emu.as(MAIN, "PATCH", `/v2/cloudimages/${id}`, { body: patch, headers: { "Content-Type": "application/openstack-images-v2.1-json-patch" } })).status).toBe(200);
    const lines = journalLines(file);
    expect(lines).toHaveLength(before + 1);
    const entry = JSON.parse(lines[lines.length - 1]) as { put: { images: { id: string; description: string }[] } };
    expect(Object.keys(entry)).toEqual(["put"]);
    expect(Object.keys(entry.put)).toEqual(["images"]);
    expect(entry.put.images).toEqual([expect.objectContaining({ id, description: "one line" })]);
  });

  it("a world whose arrays are changed in place is written whole at the next change", async () => {
    const image = structuredClone(emu.world.state.images[0]);
    image.id = "5f0c8a4e-2b1d-4c3e-8f7a-9b6d5e4c3a21";
    emu.world.state.images.push(image);
    expect((await emu.request("PUT", "/_emulator/agencies/j-after-push")).status).toBe(201);
    expect(statSync(journalOf(file)).size).toBe(0);
    expect(readStateFile(file)!.images.map((i) => i.id)).toContain(image.id);
    expectPersisted();
  });
});

describe("restarts", () => {
  it("close writes the world whole; the next start takes it from the file alone", async () => {
    const file = join(dir, "world.json");
    const first = await startTestEmulator({ stateFile: file, jobMs: 60 });
    const id = await first.privateImage("r-closed");
    expect(journalLines(file).length).toBeGreaterThan(0);
    const live = asJson(first.world.state);
    await first.close();
    expect(statSync(journalOf(file)).size).toBe(0);
    expect(JSON.parse(readFileSync(file, "utf8"))).toEqual(live);

    const second = await startTestEmulator({ stateFile: file });
    try {
      expect(asJson(second.world.state)).toEqual(live);
      expect(second.world.image(id)).toMatchObject({ name: "r-closed", status: "active" });
    } finally {
      await second.close();
    }
  });

  it("an old state file (a world file without journal) loads, and takes a journal from its first change", async () => {
    const file = join(dir, "old.json");
    const old = defaultWorldState();
    writeFileSync(file, JSON.stringify(old));
    const emu = await startTestEmulator({ stateFile: file, jobMs: 60 });
    try {
      expect(asJson(emu.world.state)).toEqual(asJson(old));
      expect(existsSync(journalOf(file))).toBe(true);
      const id = await emu.privateImage("r-old");
      expect(JSON.parse(readFileSync(file, "utf8"))).toEqual(asJson(old));
      expect(readStateFile(file)!.images.find((i) => i.id === id)).toMatchObject({ name: "r-old", status: "active" });
    } finally {
      await emu.close();
    }
  });

  it("the journal is written whole into the file when it outgrows it, at a change and at start", async () => {
    const file = join(dir, "world.json");
    const emu = await startTestEmulator({ stateFile: file, jobMs: 60, compactJournalAtBytes: 1 });
    let grown: number;
    type Metrics = { stateFile: { wholeWrites: { count: number } } };
    const wholeWrites = async () => (await emu.request<Metrics>("GET", "/_emulator/metrics")).body.stateFile.wholeWrites.count;
    try {
      const id = await emu.privateImage("r-compact");
      const wholeBefore = await wholeWrites();
      // Each description change writes one line (the image holds its file's bytes: a few KB): the journal
      // grows until it outgrows the file, and is then written into it.
      const seen: { journal: number; file: number }[] = [];
      for (let i = 0; ; i++) {
        const patch = [{ op: "add", path: "/__description", value: `change ${i}` }];
        const res = await emu.as(MAIN, "PATCH", `/v2/cloudimages/${id}`, { body: patch, headers: { "Content-Type": "application/openstack-images-v2.1-json-patch" } });
        expect(res.status).toBe(200);
        seen.push({ journal: statSync(journalOf(file)).size, file: statSync(file).size });
        const n = seen.length;
        if (n >= 3 && seen[n - 1].journal === 0 && seen[n - 2].journal > 0) break;
        if (i > 1000) throw new Error(`the journal was never written whole: ${JSON.stringify(seen.slice(-3))}`);
      }
      const last = seen[seen.length - 2];
      expect(last.journal).toBeGreaterThan(last.file);
      expect((await wholeWrites()) - wholeBefore).toBe(seen.filter((s) => s.journal === 0).length);
      expect(readStateFile(file)).toEqual(asJson(emu.world.state));
      expect(JSON.parse(readFileSync(file, "utf8"))).toEqual(asJson(emu.world.state));

      // A journal larger than its file at start is written whole at once.
      grown = statSync(file).size + 1;
    } finally {
      await emu.close();
    }
    const world = readStateFile(file)!;
    const line = JSON.stringify({ set: { imageQuota: 99 }, put: { images: [{ ...world.images[0], description: "d".repeat(grown) }] } });
    appendFileSync(journalOf(file), line + "\n");
    const restarted = await startTestEmulator({ stateFile: file, compactJournalAtBytes: 1 });
    try {
      expect(statSync(journalOf(file)).size).toBe(0);
      expect((JSON.parse(readFileSync(file, "utf8")) as WorldState).imageQuota).toBe(99);
      expect(restarted.world.state.images[0].description).toHaveLength(grown);
    } finally {
      await restarted.close();
    }
  });
});

describe("a killed emulator", () => {
  let emu: EmulatorProcess;
  let token: string;

  beforeEach(async () => {
    emu = await EmulatorProcess.start(dir, ["--job-duration", "50"]);
    token = await tokenFor(emu);
  });
  afterEach(() => emu.stop());

  async function tokenFor(e: EmulatorProcess): Promise<string> {
    const res = await fetch(`${e.url}/v3/auth/tokens`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({
        auth: {
          identity: { methods: ["password"], password: { user: { name: "ims-user", password: "ims-emulator-password", domain: { name: "ims-emulator" } } } },
          scope: { project: { name: MAIN } },
        },
      }),
    });
    expect(res.status).toBe(201);
    return res.headers.get("x-subject-token")!;
  }

  async function ims<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${emu.url}${path}`, {
      method,
      headers: { "X-Auth-Token": token, ...(body !== undefined ? { "Content-Type": "application/json" } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    expect(res.status).toBeLessThan(300);
    return (await res.json()) as T;
  }

  /** Creates an image and polls its job to the end; returns the image id. */
  async function image(name: string): Promise<string> {
    const { job_id } = await ims<{ job_id: string }>("POST", "/v2/cloudimages/action", { name, image_url: QCOW2_URL, min_disk: 40 });
    const project = (await emu.state()).projects.find((p) => p.name === MAIN)!.id;
    for (;;) {
      const job = await ims<JobView>("GET", `/v1/${project}/jobs/${job_id}`);
      if (job.status === "SUCCESS") return job.entities.image_id!;
      expect(job.status).not.toBe("FAIL");
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  it("restarts with every answered change", async () => {
    const ids = [await image("k-one"), await image("k-two")];
    await emu.request("PUT", `/_emulator/images/${ids[0]}/members/${"a".repeat(32)}`, { status: "accepted" });
    await emu.request("PATCH", `/_emulator/images/${ids[1]}`, { name: "k-two-drifted" });
    const before = await emu.state();
    expect(journalLines(emu.stateFile).length).toBeGreaterThan(0);
    await emu.kill();
    await emu.restart();
    expect(await emu.state()).toEqual(before);
  });

  it("drops a journal line cut short by the kill, and goes on writing after the last whole line", async () => {
    const id = await image("k-torn");
    const before = await emu.state();
    await emu.kill();
    const torn = JSON.stringify({ put: { images: [{ ...before.images.find((i) => i.id === id), name: "never-answered" }] } }).slice(0, 120);
    appendFileSync(journalOf(emu.stateFile), torn);
    const lines = journalLines(emu.stateFile).length;

    await emu.restart();
    expect(await emu.state()).toEqual(before);
    expect(readFileSync(journalOf(emu.stateFile), "utf8").endsWith("\n")).toBe(true);
    expect(journalLines(emu.stateFile)).toHaveLength(lines - 1);

    await emu.request("PATCH", `/_emulator/images/${id}`, { name: "k-torn-later" });
    const after = await emu.state();
    await emu.kill();
    await emu.restart();
    expect(await emu.state()).toEqual(after);
    expect((await emu.state()).images.find((i) => i.id === id)?.name).toBe("k-torn-later");
  });

  it("refuses to start from a journal with a damaged line before others, and says which", async () => {
    await image("k-damaged");
    await emu.request("PUT", "/_emulator/agencies/k-agency");
    await emu.kill();
    const lines = journalLines(emu.stateFile);
    expect(lines.length).toBeGreaterThan(1);
    lines[0] = lines[0].slice(0, 10);
    writeFileSync(journalOf(emu.stateFile), lines.join("\n") + "\n");
    await expect(emu.restart()).rejects.toThrow(
      new RegExp(`${journalOf(emu.stateFile).replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: line 1 of ${lines.length} is not a journal entry .*remove it to start from the snapshot alone`),
    );
  });
});

describe("replaying the journal onto a file that holds it already", () => {
  it("gives the same world (what a kill between writing the file whole and emptying the journal leaves)", async () => {
    const file = join(dir, "world.json");
    const emu = await startTestEmulator({ stateFile: file, jobMs: 60 });
    let live: WorldState;
    let journal: Buffer;
    try {
      const id = await emu.privateImage("twice");
      for (const [key, text] of [["twice.raw", "first"], ["other.raw", "other"], ["twice.raw", "second"]]) {
        expect((await emu.request("PUT", `/_emulator/objects/images-bucket/${key}`, { raw: Buffer.from(text) })).status).toBe(201);
      }
      expect((await emu.as(MAIN, "DELETE", `/v2/images/${id}`)).status).toBe(204);
      live = asJson(emu.world.state);
      journal = readFileSync(journalOf(file));
      expect(journalLines(file).length).toBeGreaterThan(3);
    } finally {
      // Writes the file whole and empties the journal.
      await emu.close();
    }
    writeFileSync(journalOf(file), journal);
    const again = await startTestEmulator({ stateFile: file });
    try {
      expect(asJson(again.world.state)).toEqual(live);
      // An object put again moves to the end, as it did live.
      expect(again.world.state.objects.map((o) => o.key).slice(-2)).toEqual(["other.raw", "twice.raw"]);
    } finally {
      await again.close();
    }
  });
});
