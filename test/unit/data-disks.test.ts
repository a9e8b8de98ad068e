/**
 * What a create call sends for the data disks of a PrivateImage (pure): names, tags (the disk's, else
 * the image's), each disk's own creation marker while there is room for it, and the request body.
 */
import { fromFileBody } from "../../provider/client/images/requests";
import { dataDiskMarker, dataImageRequests, needsRestore } from "../../provider/images/data-disks";
import { CREATE_MARKER } from "../../provider/images/live";
import type { ImageInputs } from "../../provider/images/schema";

const inputs = (dataDisks: NonNullable<ImageInputs["source"]["dataDisks"]>, tags?: Record<string, string>): ImageInputs => ({
  name: "db",
  ...(tags ? { tags } : {}),
  source: { imageUrl: "b:sys.qcow2", minDisk: 40, dataDisks },
});

describe("data disk requests", () => {
  it("names each disk after the image unless named, and tags it with its own tags, else the image's, plus its marker", () => {
    const requests = dataImageRequests(inputs([{ imageUrl: "b:d1.qcow2", minDisk: 100, name: "data", tags: { disk: "1" } }, { imageUrl: "b:d2.vhd", minDisk: 40, description: "logs" }], { app: "db" }), "m".repeat(32));
    expect(requests).toEqual([
      { imageUrl: "b:d1.qcow2", minDisk: 100, name: "data", tags: [{ key: "disk", value: "1" }, { key: CREATE_MARKER, value: `${"m".repeat(32)}-d1` }] },
      { imageUrl: "b:d2.vhd", minDisk: 40, name: "db-data-2", description: "logs", tags: [{ key: "app", value: "db" }, { key: CREATE_MARKER, value: `${"m".repeat(32)}-d2` }] },
    ]);
  });

  it("sends no marker without one, nor where the disk already has ten tags", () => {
    const ten = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`k${i}`, "v"]));
    expect(dataImageRequests(inputs([{ imageUrl: "b:d1", minDisk: 1 }]), undefined)).toEqual([{ imageUrl: "b:d1", minDisk: 1, name: "db-data-1" }]);
    const [full] = dataImageRequests(inputs([{ imageUrl: "b:d1", minDisk: 1, tags: ten }]), "abc");
    expect(full.tags).toHaveLength(10);
    expect(full.tags!.some((t) => t.key === CREATE_MARKER)).toBe(false);
  });

  it("keeps a disk's marker a valid tag value (at most 43 characters) whatever the image's marker", () => {
    expect(dataDiskMarker("x".repeat(43), 2)).toMatch(/^[x]{38}-d3$/);
    expect(dataDiskMarker("x".repeat(43), 2).length).toBeLessThanOrEqual(43);
  });

  it("goes into the create body as data_images with image_url, min_disk, name, description and image_tags", () => {
    const body = fromFileBody({ name: "db", imageUrl: "b:sys.qcow2", minDisk: 40, dataImages: dataImageRequests(inputs([{ imageUrl: "b:d1", minDisk: 100, description: "d" }]), undefined) });
    expect(body).toEqual({ name: "db", image_url: "b:sys.qcow2", min_disk: 40, data_images: [{ image_url: "b:d1", min_disk: 100, name: "db-data-1", description: "d" }] });
  });

  it("asks for a restore only when a recorded data image is gone or failed", () => {
    const record = { id: "i", name: "n", imageUrl: "b:d", minDisk: 40, sizeBytes: 1 };
    expect(needsRestore(undefined)).toBe(false);
    expect(needsRestore([{ ...record, status: "active" }])).toBe(false);
    expect(needsRestore([{ ...record, status: "active" }, { ...record, status: "deleted" }])).toBe(true);
    expect(needsRestore([{ ...record, status: "killed" }])).toBe(true);
  });
});
