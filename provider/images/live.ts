/**
 * A live image and the state of a resource that manages it: the outputs it maps to, the inputs it
 * implies (drift), bringing it to the declared attributes, reading it, and deleting it. Every
 * resource kind that manages an image (PrivateImage, DataImage, ImageCopy) goes through here.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { ImsApiError, type Image, type ImsClient } from "../client";
import { describeError } from "../common/errors";
import { progressReporter } from "../common/time";
import { clean } from "../common/values";
import type { ImageAttributes, LiveImageOutputs } from "./schema";

/** Tag that marks an image while it is being created, so a lost answer can be reconciled. */
export const CREATE_MARKER = "pulumi-ims-create";

/** How long after creation a missing image is taken for eventual consistency, not deletion. */
const READ_GRACE_MS = 60_000;

/** Tags of an image object ("key=value" strings); without the creation marker unless asked for. */
export function liveTags(image: Image, withMarker = false): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const t of image.tags ?? []) {
    const at = t.indexOf("=");
    const key = at < 0 ? t : t.slice(0, at);
    if (withMarker || key !== CREATE_MARKER) tags[key] = at < 0 ? "" : t.slice(at + 1);
  }
  return tags;
}

/** `max_ram` of an image object (a string in answers), or undefined when unset. */
const liveMaxRam = (image: Image): number | undefined =>
  image.max_ram === undefined || image.max_ram === null || image.max_ram === "" ? undefined : Number(image.max_ram);

/** The outputs of a resource whose image is `image`: its inputs, then what IMS says of the image. */
export function outputsOf<Inputs extends object>(
  inputs: Inputs,
  image: Image,
  where: { region: string; projectId: string },
  extra: Partial<LiveImageOutputs> = {},
): Inputs & LiveImageOutputs {
  const size = Number(image.__image_size ?? image.size ?? 0);
  const live: LiveImageOutputs = {
    imageRegion: where.region,
    projectId: where.projectId,
    status: image.status,
    sizeBytes: Number.isFinite(size) ? size : 0,
    diskFormat: image.disk_format ?? "",
    osVersion: image.__os_version ?? "",
    osType: image.__os_type ?? "",
    osBit: image.__os_bit ?? "",
    platform: image.__platform ?? "",
    visibility: image.visibility ?? "",
    imageType: image.__imagetype ?? "",
    checksum: image.checksum ?? "",
    minDisk: image.min_disk ?? 0,
    virtualEnvType: image.virtual_env_type ?? "",
    createdAt: image.created_at ?? "",
    updatedAt: image.updated_at ?? "",
  };
  return clean({ ...inputs, ...live, ...extra });
}

/** The declared inputs that the live image implies (for refresh: drift becomes visible). */
export function inputsFromLive<Inputs extends ImageAttributes>(old: Inputs, image: Image): Inputs {
  const description = image.__description ?? "";
  const isData = image.virtual_env_type === "DataImage";
  const maxRam = isData ? undefined : liveMaxRam(image);
  const minRam = isData ? 0 : (image.min_ram ?? 0);
  const tags = liveTags(image);
  return clean({
    ...old,
    name: image.name,
    description: description === "" && old.description === undefined ? undefined : description,
    minRam: minRam === 0 && old.minRam === undefined ? undefined : minRam,
    maxRam,
    tags: Object.keys(tags).length === 0 && old.tags === undefined ? undefined : tags,
  });
}

/** Brings name, description, RAM limits and tags of a live image to the declared ones. */
export async function converge(client: ImsClient, imageId: string, inputs: ImageAttributes, live: Image): Promise<void> {
  const changes: { attribute: string; value: string | number | undefined }[] = [];
  if (live.name !== inputs.name) changes.push({ attribute: "name", value: inputs.name });
  const description = inputs.description ?? "";
  if ((live.__description ?? "") !== description) changes.push({ attribute: "__description", value: description === "" ? undefined : description });
  if (live.virtual_env_type !== "DataImage") {
    if ((live.min_ram ?? 0) !== (inputs.minRam ?? 0)) changes.push({ attribute: "min_ram", value: inputs.minRam ?? 0 });
    if (liveMaxRam(live) !== inputs.maxRam) changes.push({ attribute: "max_ram", value: inputs.maxRam });
  }
  if (changes.length) await client.images.update(imageId, changes);
  // The marker counts as a current tag, so that setting the declared tags removes it.
  await client.tags.set(imageId, inputs.tags ?? {}, liveTags(live, true));
}

/** Reads an image, tolerating a short delay after creation. */
export async function readImage(client: ImsClient, imageId: string, createdAt: string | undefined): Promise<Image | undefined> {
  const image = await client.images.get(imageId);
  if (image) return image;
  const created = Date.parse(createdAt ?? "");
  if (!Number.isFinite(created) || Date.now() - created > READ_GRACE_MS) return undefined;
  for (let i = 0; i < 5; i++) {
    await sleep(1000);
    const again = await client.images.get(imageId);
    if (again) return again;
  }
  return undefined;
}

/**
 * Deletes an image and waits until it is gone; an image already gone counts as deleted. While the
 * image is shared it is not deleted unless `removeMembers` (then its members are removed first).
 */
export async function deleteImage(
  client: ImsClient,
  imageId: string,
  options: { what: string; removeMembers: boolean; timeoutMs: number; pendingJobId?: string },
): Promise<void> {
  const { what } = options;
  if (options.pendingJobId) {
    await client.jobs.wait(options.pendingJobId, { timeoutMs: options.timeoutMs, onProgress: progressReporter(what) }).catch(() => undefined);
  }
  let members: { member_id: string; status: string }[];
  try {
    members = await client.members.list(imageId);
  } catch (error) {
    // A 404 may also mean a wrong endpoint: only an image that cannot be read is taken as gone.
    if (error instanceof ImsApiError && (error.status === 404 || error.code === "IMG.0027") && !(await client.images.get(imageId))) return;
    throw new Error(`${what}: ${describeError(error)}`, { cause: error });
  }
  if (members.length > 0) {
    const held = members.map((m) => `${m.member_id} (${m.status})`).join(", ");
    if (!options.removeMembers) {
      throw new Error(
        `${what} is still shared with project(s) ${held}: delete the ImageMember resources that share it first, ` +
          "or set removeMembersOnDelete: true to stop sharing it on delete",
      );
    }
    const job = await client.members.remove([imageId], members.map((m) => m.member_id));
    await client.jobs.wait(job.job_id, { timeoutMs: options.timeoutMs });
  }
  try {
    await client.images.deleteAndWait(imageId, options.timeoutMs);
  } catch (error) {
    throw new Error(`${what}: ${describeError(error)}`, { cause: error });
  }
}
