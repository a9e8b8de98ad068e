/**
 * A refresh of many images of one project against ims-emulator: the reads are answered by one
 * listing of the project's images, with drift exactly as reads by id show it (name, description,
 * RAM limits, tags, an image deleted outside), and an image this process changed, or one already
 * answered, is read by id again.
 */
import { clientOf } from "../../provider/common";
import { LISTING_MAX_AGE_MS, resetListings } from "../../provider/client/images";
import { READS_BY_ID } from "../../provider/client/images/listing";
import { resetWrites } from "../../provider/client/core/writes";
import type { ImageOutputs } from "../../provider/images/schema";
import type { TestEmulator } from "../helpers/emulator";
import { admin, createWith, privateImages, providerEmulator, QCOW2, shutdown, UBUNTU, updateWith, type Raw } from "./support";

let emu: TestEmulator;
const made: { id: string; outs: ImageOutputs }[] = [];
const COUNT = 30;

/** Requests the emulator counted since the last call, by "METHOD route" (its admin routes left out). */
async function requests(): Promise<Record<string, number>> {
  const metrics = (await admin(emu, "GET", "/_emulator/metrics")) as { routes: { method: string; route: string; count: number }[] };
  await admin(emu, "DELETE", "/_emulator/metrics");
  const counts: Record<string, number> = {};
  for (const r of metrics.routes.filter((route) => !route.route.startsWith("/_emulator"))) counts[`${r.method} ${r.route}`] = (counts[`${r.method} ${r.route}`] ?? 0) + r.count;
  return counts;
}

/** As a new provider process starts: nothing written, nothing listed. */
function newProcess(): void {
  resetWrites();
  resetListings();
}

beforeAll(async () => {
  emu = await providerEmulator(50);
  for (let i = 0; i < COUNT; i += 10) {
    const batch = await Promise.all(
      Array.from({ length: 10 }, (_, j) =>
        createWith(privateImages, { name: `fleet-${i + j}`, description: "fleet", minRam: 1024, tags: { fleet: "yes", n: String(i + j) }, source: { imageUrl: QCOW2, minDisk: 40, osVersion: UBUNTU } }),
      ),
    );
    made.push(...batch);
  }
});

afterAll(async () => {
  await shutdown(emu);
});

describe("refresh by listing", () => {
  it("reads 30 images with one list request, each exactly as a read by id shows it", async () => {
    newProcess();
    await requests();
    const listed = await Promise.all(made.map((m) => privateImages.read(m.id, m.outs)));
    // The first reads go by id, the others wait for one listing.
    expect(await requests()).toEqual({ "GET /v2/cloudimages": READS_BY_ID + 1 });
    // A second read of each the listing answered is a read by id: its answer must be the same.
    const byId = await Promise.all(made.map((m) => privateImages.read(m.id, m.outs)));
    expect((await requests())["GET /v2/cloudimages"]).toBe(COUNT - READS_BY_ID);
    expect(listed).toEqual(byId);
    for (const [i, read] of listed.entries()) {
      expect(read.id).toBe(made[i].id);
      expect(read.inputs).toMatchObject({ name: `fleet-${i}`, description: "fleet", minRam: 1024, tags: { fleet: "yes", n: String(i) } });
      expect(read.props).toEqual(made[i].outs);
    }
  });

  it("shows drift made outside as reads by id do: name, description, RAM, tags, an image deleted", async () => {
    const { client } = clientOf({});
    const [renamed, described, resized, retagged, deleted] = made;
    await client.images.update(renamed.id, [{ attribute: "name", value: "renamed-outside" }]);
    await client.images.update(described.id, [{ attribute: "__description", value: "changed outside" }]);
    await client.images.update(resized.id, [{ attribute: "min_ram", value: 4096 }]);
    await client.tags.set(retagged.id, { fleet: "no" });
    await client.images.delete(deleted.id);
    newProcess();
    await requests();
    // The deleted image was made long ago: no grace for a just-created one.
    const reads = await Promise.all(made.map((m) => privateImages.read(m.id, m.id === deleted.id ? { ...m.outs, createdAt: "2026-01-01T00:00:00Z" } : m.outs)));
    // The first reads by id, one listing, and a read by id of the image it lacks.
    expect(await requests()).toEqual({ "GET /v2/cloudimages": READS_BY_ID + 2 });
    const byId = (id: string) => reads[made.findIndex((m) => m.id === id)];
    expect(byId(renamed.id).inputs?.name).toBe("renamed-outside");
    expect(byId(described.id).inputs?.description).toBe("changed outside");
    expect(byId(resized.id).inputs?.minRam).toBe(4096);
    expect(byId(retagged.id).inputs?.tags).toEqual({ fleet: "no" });
    expect(byId(deleted.id)).toEqual({ id: "" });
    for (const m of made.slice(5)) expect(byId(m.id).props).toEqual(m.outs);
    made.splice(made.indexOf(deleted), 1);
  });

  it("reads by id an image this process changed after the listing, and the listing again after a few seconds", async () => {
    newProcess();
    const [first, second] = made;
    await privateImages.read(second.id, second.outs);
    const outs = await updateWith(privateImages, first.id, first.outs, { ...(first.outs as unknown as Raw), description: "updated here" });
    await requests();
    const read = await privateImages.read(first.id, outs);
    expect(read.inputs?.description).toBe("updated here");
    expect((await requests())["GET /v2/cloudimages"]).toBe(1);
    // A change made outside after a listing was taken is seen once the listing is older than its few seconds.
    newProcess();
    for (const m of made.slice(4, 4 + READS_BY_ID + 1)) await privateImages.read(m.id, m.outs);
    const { client } = clientOf({});
    await client.images.update(made[3].id, [{ attribute: "__description", value: "later outside" }]);
    resetWrites();
    await new Promise((resolve) => setTimeout(resolve, LISTING_MAX_AGE_MS + 100));
    await requests();
    const later = await privateImages.read(made[3].id, made[3].outs);
    expect(later.inputs?.description).toBe("later outside");
    expect((await requests())["GET /v2/cloudimages"]).toBe(1);
  });

  it("reads by id an image a listing answered, even from a later listing", async () => {
    newProcess();
    for (const m of made.slice(0, READS_BY_ID)) await privateImages.read(m.id, m.outs);
    const fourth = made[3];
    await privateImages.read(fourth.id, fourth.outs);
    await new Promise((resolve) => setTimeout(resolve, LISTING_MAX_AGE_MS + 100));
    // A later listing, taken for another image; then the image it also lists changes outside.
    await privateImages.read(made[6].id, made[6].outs);
    const { client } = clientOf({});
    await client.images.update(fourth.id, [{ attribute: "__description", value: "changed after the second listing" }]);
    resetWrites();
    await requests();
    const again = await privateImages.read(fourth.id, fourth.outs);
    expect(again.inputs?.description).toBe("changed after the second listing");
    expect(await requests()).toEqual({ "GET /v2/cloudimages": 1 });
  });

  it("answers nothing from a listing that took longer than its few seconds to come: its images are read by id", async () => {
    newProcess();
    for (const m of made.slice(0, READS_BY_ID)) await privateImages.read(m.id, m.outs);
    // The listing's answer comes late; the read by id after it does not.
    await admin(emu, "POST", "/_emulator/faults", { method: "GET", route: "/v2/cloudimages", answerDelayMs: LISTING_MAX_AGE_MS + 300, count: 1 });
    await requests();
    const { client } = clientOf({});
    const read = privateImages.read(made[5].id, made[5].outs);
    // Changed while the listing's answer is on its way: the listing shows the old name.
    await new Promise((resolve) => setTimeout(resolve, 500));
    await client.images.update(made[5].id, [{ attribute: "name", value: "renamed-during-listing" }]);
    resetWrites();
    expect((await read).inputs?.name).toBe("renamed-during-listing");
    const counts = await requests();
    expect(counts["GET /v2/cloudimages"]).toBe(2);
  }, 20_000);
});
