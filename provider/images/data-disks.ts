/**
 * The data disks of a PrivateImage imported from OBS files: IMS makes one data image per entry of
 * `data_images` in the same call as the system image ("Creating an Image", scenario of an external
 * image file), and its job names them in `sub_jobs_result`. Here: what the call sends for them,
 * finding the images it made, reading them on refresh, making one again that was deleted outside,
 * and deleting them with the system image.
 */
import { jobImageIds, type DataFileRequest, type Image, type ImsClient, type Job } from "../client";
import { describeError } from "../common/errors";
import { progressReporter } from "../common/time";
import { CREATE_MARKER, deleteImage, liveTags } from "./live";
import type { DataDiskInput, DataImageRecord, ImageInputs } from "./schema";

/** The smallest minimum disk of a data image made from a file on its own ("Creating a Data Disk Image Using an External Image File"). */
const MIN_SEPARATE_DATA_DISK = 40;

/** The name of data disk `i` (from 0): declared, else `<image name>-data-<i + 1>`, as IMS names it. */
export const dataDiskName = (inputs: ImageInputs, i: number): string => inputs.source.dataDisks?.[i]?.name ?? `${inputs.name}-data-${i + 1}`;

/** The creation marker of data disk `i`: the image's marker and the disk's number. */
export const dataDiskMarker = (marker: string, i: number): string => `${marker.slice(0, 38)}-d${i + 1}`;

/** Declared tags of a data disk: its own, else the image's. */
const declaredTags = (inputs: ImageInputs, disk: DataDiskInput): Record<string, string> => disk.tags ?? inputs.tags ?? {};

/** The `data_images` entries of the create call; each carries its marker while there is room for it. */
export function dataImageRequests(inputs: ImageInputs, marker: string | undefined): DataFileRequest[] {
  return (inputs.source.dataDisks ?? []).map((disk, i) => {
    const tags = declaredTags(inputs, disk);
    const marked = marker && Object.keys(tags).length < 10 ? { ...tags, [CREATE_MARKER]: dataDiskMarker(marker, i) } : tags;
    const tagList = Object.entries(marked).map(([key, value]) => ({ key, value }));
    return {
      imageUrl: disk.imageUrl,
      minDisk: disk.minDisk,
      name: dataDiskName(inputs, i),
      ...(disk.description !== undefined ? { description: disk.description } : {}),
      ...(tagList.length ? { tags: tagList } : {}),
    };
  });
}

const recordOf = (disk: DataDiskInput, image: Image): DataImageRecord => {
  const size = Number(image.__image_size ?? image.size ?? 0);
  return { id: image.id, name: image.name, imageUrl: disk.imageUrl, minDisk: image.min_disk ?? disk.minDisk, status: image.status, sizeBytes: Number.isFinite(size) ? size : 0 };
};

/** A data disk whose image was not found: recorded as deleted, so that the next update makes it again. */
const missing = (inputs: ImageInputs, disk: DataDiskInput, i: number): DataImageRecord => ({
  id: "",
  name: dataDiskName(inputs, i),
  imageUrl: disk.imageUrl,
  minDisk: disk.minDisk,
  status: "deleted",
  sizeBytes: 0,
});

/**
 * The data images a create made, in the order of `source.dataDisks`: the images its job names (each
 * matched to its disk by the file it came from), else (a create taken over from an interrupted run,
 * whose job is not known) those carrying the disks' markers. Their markers are removed.
 */
export async function findDataImages(
  client: ImsClient,
  inputs: ImageInputs,
  systemImageId: string,
  found: { job?: Job; marker?: string },
): Promise<DataImageRecord[]> {
  const disks = inputs.source.dataDisks ?? [];
  if (disks.length === 0) return [];
  const images: (Image | undefined)[] = disks.map(() => undefined);
  const byJob = found.job ? jobImageIds(found.job).filter((id) => id !== systemImageId) : [];
  for (const id of byJob) {
    const image = await client.images.get(id);
    const at = image ? disks.findIndex((d, i) => !images[i] && (image.__data_origin === `file,${d.imageUrl}` || image.name === dataDiskName(inputs, i))) : -1;
    if (image && at >= 0) images[at] = image;
  }
  for (const [i] of disks.entries()) {
    if (images[i] || !found.marker) continue;
    const marked = await client.images.list({ tag: `${CREATE_MARKER}=${dataDiskMarker(found.marker, i)}` });
    images[i] = marked.find((image) => image.status !== "killed") ?? marked[0];
  }
  const records: DataImageRecord[] = [];
  for (const [i, disk] of disks.entries()) {
    const image = images[i];
    if (!image) {
      records.push(missing(inputs, disk, i));
      continue;
    }
    if (liveTags(image, true)[CREATE_MARKER] !== undefined && image.status !== "killed") await client.tags.set(image.id, declaredTags(inputs, disk), liveTags(image, true));
    records.push(recordOf(disk, image));
  }
  return records;
}

/** Deletes the killed data images an interrupted create left with the disks' markers (none was recorded). */
export async function deleteKilledDataImages(client: ImsClient, inputs: ImageInputs, marker: string): Promise<void> {
  for (const [i] of (inputs.source.dataDisks ?? []).entries()) {
    const marked = await client.images.list({ tag: `${CREATE_MARKER}=${dataDiskMarker(marker, i)}` });
    for (const image of marked.filter((m) => m.status === "killed")) await client.images.delete(image.id);
  }
}

/** The recorded data images as IMS shows them now; one that no longer exists shows as `deleted`. */
export async function refreshDataImages(client: ImsClient, inputs: ImageInputs, records: readonly DataImageRecord[]): Promise<DataImageRecord[]> {
  const disks = inputs.source.dataDisks ?? [];
  const fresh: DataImageRecord[] = [];
  for (const [i, disk] of disks.entries()) {
    const record = records[i];
    const image = record?.id ? await client.images.get(record.id) : undefined;
    fresh.push(image ? recordOf(disk, image) : missing(inputs, disk, i));
  }
  return fresh;
}

/** True when a recorded data image no longer exists (or failed): the next update makes it again. */
export const needsRestore = (records: readonly DataImageRecord[] | undefined): boolean => (records ?? []).some((r) => r.status === "deleted" || r.status === "killed");

/**
 * Makes again, each on its own ("Creating a Data Disk Image Using an External Image File"), the data
 * images recorded as deleted or failed; the others are kept as they are.
 */
export async function restoreDataImages(
  client: ImsClient,
  inputs: ImageInputs,
  records: readonly DataImageRecord[],
  system: Image,
  timeoutMs: number,
): Promise<DataImageRecord[]> {
  const disks = inputs.source.dataDisks ?? [];
  const osType = system.__os_type === "Windows" ? "Windows" : "Linux";
  const restored: DataImageRecord[] = [];
  for (const [i, disk] of disks.entries()) {
    const record = records[i];
    if (record && record.status !== "deleted" && record.status !== "killed") {
      restored.push(record);
      continue;
    }
    const what = `data disk ${i + 1} (${disk.imageUrl})`;
    if (disk.minDisk < MIN_SEPARATE_DATA_DISK) {
      throw new Error(
        `${what} was deleted outside Pulumi, and IMS makes a data image from a file on its own only with a minimum disk of ` +
          `${MIN_SEPARATE_DATA_DISK} GB or more (this one declares ${disk.minDisk}): import it again with the system image, ` +
          "by replacing the resource (pulumi up --replace <its URN>)",
      );
    }
    if (record?.id) await client.images.delete(record.id);
    const tags = declaredTags(inputs, disk);
    try {
      const ref = await client.images.createDataImageFromFile({
        name: dataDiskName(inputs, i),
        imageUrl: disk.imageUrl,
        minDisk: disk.minDisk,
        osType,
        ...(disk.description !== undefined ? { description: disk.description } : {}),
        ...(Object.keys(tags).length ? { tags: Object.entries(tags).map(([key, value]) => ({ key, value })) } : {}),
        ...(inputs.enterpriseProjectId !== undefined ? { enterpriseProjectId: inputs.enterpriseProjectId } : {}),
      });
      const job = await client.jobs.wait(ref.job_id, { timeoutMs, onProgress: progressReporter(what) });
      const [id] = jobImageIds(job);
      const image = id ? await client.images.get(id) : undefined;
      if (!image) throw new Error(`its job ${ref.job_id} succeeded without an image that can be read`);
      restored.push(recordOf(disk, image));
    } catch (error) {
      throw new Error(`${what} was deleted outside Pulumi and could not be made again: ${describeError(error)}`, { cause: error });
    }
  }
  return restored;
}

/** Deletes the recorded data images (an image already gone counts as deleted). */
export async function deleteDataImages(
  client: ImsClient,
  records: readonly DataImageRecord[],
  options: { what: string; removeMembers: boolean; timeoutMs: number },
): Promise<void> {
  for (const record of records) {
    if (!record.id) continue;
    await deleteImage(client, record.id, { what: `${options.what}: data image "${record.name}" (${record.id})`, removeMembers: options.removeMembers, timeoutMs: options.timeoutMs });
  }
}
