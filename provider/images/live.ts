/**
 * A live image and the state of a resource that manages it: the outputs it maps to, the inputs it
 * implies (drift), bringing it to the declared attributes, reading it, and deleting it. Every
 * resource kind that manages an image (PrivateImage, DataImage, ImageCopy) goes through here.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type * as pulumi from "@pulumi/pulumi";
import { ImsApiError, ImsJobFailedError, type Image, type ImsClient } from "../client";
import type { Target, Timeouts } from "../config";
import { describeError, ResourceInitError } from "../common/errors";
import { progressReporter, timeoutsOf, warn, withDeadline, type TimeoutsInput } from "../common/time";
import { clean, type Raw } from "../common/values";
import type { ImsReadResult } from "../types";
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
    // Undeclared, the enterprise project is not managed: it shows only once declared.
    enterpriseProjectId: old.enterpriseProjectId === undefined ? undefined : liveEnterpriseProject(image),
  });
}

/** The enterprise project of a live image: "0" (the default one) when the image shows none. */
export const liveEnterpriseProject = (image: Image): string => image.enterprise_project_id || "0";

/**
 * Brings name, description, RAM limits, enterprise project and tags of a live image to the
 * declared ones; true when it sent a change (the image then reads differently).
 */
export async function converge(client: ImsClient, imageId: string, inputs: ImageAttributes, live: Image): Promise<boolean> {
  const changes: { attribute: string; value: string | number | undefined }[] = [];
  if (live.name !== inputs.name) changes.push({ attribute: "name", value: inputs.name });
  const description = inputs.description ?? "";
  if ((live.__description ?? "") !== description) changes.push({ attribute: "__description", value: description === "" ? undefined : description });
  if (live.virtual_env_type !== "DataImage") {
    if ((live.min_ram ?? 0) !== (inputs.minRam ?? 0)) changes.push({ attribute: "min_ram", value: inputs.minRam ?? 0 });
    if (liveMaxRam(live) !== inputs.maxRam) changes.push({ attribute: "max_ram", value: inputs.maxRam });
  }
  // Moving an image to another enterprise project is a change of this attribute ("Updating Image Information").
  if (inputs.enterpriseProjectId !== undefined && liveEnterpriseProject(live) !== inputs.enterpriseProjectId) {
    changes.push({ attribute: "enterprise_project_id", value: inputs.enterpriseProjectId });
  }
  if (changes.length) await client.images.update(imageId, changes);
  // The marker counts as a current tag, so that setting the declared tags removes it.
  const tags = await client.tags.set(imageId, inputs.tags ?? {}, liveTags(live, true));
  return changes.length > 0 || tags.create.length > 0 || tags.remove.length > 0;
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
  options: { what: string; removeMembers: boolean; timeoutMs: number; pendingJobId?: string; jobClient?: ImsClient },
): Promise<void> {
  const { what } = options;
  if (options.pendingJobId) {
    await (options.jobClient ?? client).jobs.wait(options.pendingJobId, { timeoutMs: options.timeoutMs, onProgress: progressReporter(what) }).catch(() => undefined);
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
        `${what} is still shared with project(s) ${held}, and an image is not deleted while it is shared: ` +
          "remove the ImageMember resources that share it (if the stack has them), or stop sharing it otherwise; " +
          "or set removeMembersOnDelete: true on this resource and run pulumi up first (a delete uses the settings " +
          "the resource was last updated with), then delete it",
      );
    }
    const job = await client.members.remove([imageId], members.map((m) => m.member_id));
    await client.jobs.wait(job.job_id, { timeoutMs: options.timeoutMs });
  }
  // The service answers 204 and finishes the deletion on its own: nothing more to wait for.
  try {
    await client.images.delete(imageId);
  } catch (error) {
    throw new Error(`${what}: ${describeError(error)}`, { cause: error });
  }
}

/** The inputs every image-managing kind has besides the image's attributes. */
interface ManagedImageInputs extends ImageAttributes {
  timeouts?: TimeoutsInput;
  removeMembersOnDelete?: boolean;
}

/** How a resource kind reaches and describes the image it manages. */
export interface ImageKeeper<Inputs extends ManagedImageInputs, Outputs extends Inputs & LiveImageOutputs> {
  /** "PrivateImage", "ImageCopy"… */
  label: string;
  /** The declared inputs in a bag of properties. */
  inputsOf(raw: Raw): Inputs;
  /** The client of the existing image (its region and project), from its state and, in an update, the new inputs. */
  clientOf(olds: Outputs, news?: Inputs): { client: ImsClient; target: Target };
  /** The client that reads the image's creation job, when not the image's own (a cross-region copy's job runs at the source). */
  jobClientOf?(olds: Outputs, news?: Inputs): ImsClient;
  /** The kind's own time budgets (they yield to the resource's and to `ims:timeouts`). */
  timeouts?: Partial<Timeouts>;
  /** Outputs of the state that are neither inputs nor the live image's (kept as they are). */
  carried?(olds: Outputs): Partial<Outputs>;
}

/**
 * read, update and delete of a resource whose image exists: refresh shows drift and drops an image
 * deleted outside; update waits for a creation job left pending, then brings the image to the
 * declared attributes; delete removes it (and its members, when asked).
 */
export function existingImage<Inputs extends ManagedImageInputs, Outputs extends Inputs & LiveImageOutputs>(k: ImageKeeper<Inputs, Outputs>) {
  const outputs = (inputs: Inputs, image: Image, where: { region: string; projectId: string }, olds: Outputs, extra: Partial<LiveImageOutputs>): Outputs =>
    outputsOf({ ...inputs, ...(k.carried?.(olds) ?? {}) }, image, where, extra) as unknown as Outputs;

  return {
    async read(id: string, props?: Outputs): Promise<ImsReadResult<Inputs, Outputs>> {
      if (!props) return { id: "" };
      const old = k.inputsOf(props as unknown as Raw);
      const { client, target } = k.clientOf(props);
      // Many reads of one project (a refresh) are answered by a listing of its images; a missing one is read by id.
      const image = (await client.images.listed(id).catch(() => undefined)) ?? (await readImage(client, id, props.createdAt));
      if (!image) {
        warn(`${k.label} "${props.name}" (${id}) no longer exists in ${props.imageRegion || target.region}: it is removed from the state`);
        return { id: "" };
      }
      const inputs = inputsFromLive(old, image);
      const extra: Partial<LiveImageOutputs> = {};
      if (props.jobId) extra.jobId = props.jobId;
      if (props.pendingJobId && image.status !== "active") extra.pendingJobId = props.pendingJobId;
      if (props.failure && image.status !== "active") extra.failure = props.failure;
      return { id, props: outputs(inputs, image, { region: target.region, projectId: props.projectId || (await client.projectId()) }, props, extra), inputs };
    },

    async update(id: string, olds: Outputs, news: Inputs): Promise<pulumi.dynamic.UpdateResult<Outputs>> {
      const { client, target } = k.clientOf(olds, news);
      const timeouts = timeoutsOf(news.timeouts, target, k.timeouts);
      const what = `${k.label} "${news.name}"`;
      const where = { region: target.region, projectId: olds.projectId || (await client.projectId()) };
      if (olds.pendingJobId) {
        try {
          await (k.jobClientOf?.(olds, news) ?? client).jobs.wait(olds.pendingJobId, { timeoutMs: timeouts.createMs, onProgress: progressReporter(what) });
        } catch (error) {
          const live = await client.images.get(id).catch(() => undefined);
          // Only a job that failed makes the image failed; anything else leaves the job to wait for again.
          const extra: Partial<LiveImageOutputs> = {
            ...(olds.jobId ? { jobId: olds.jobId } : {}),
            ...(error instanceof ImsJobFailedError
              ? { failure: { code: error.errorCode ?? "", reason: error.failReason ?? describeError(error) } }
              : { pendingJobId: olds.pendingJobId }),
          };
          const properties: object = live ? outputs(news, live, where, olds, extra) : clean({ ...news, ...(k.carried?.(olds) ?? {}), ...extra });
          throw new ResourceInitError(`${what}: ${describeError(error)}`, id, { ...properties, __provider: (news as unknown as Raw).__provider }, [describeError(error)]);
        }
      }
      const live = await client.images.get(id);
      if (!live) throw new Error(`${what}: image ${id} no longer exists; run pulumi refresh, then pulumi up to create it again`);
      let changed: boolean;
      try {
        changed = await withDeadline(converge(client, id, news, live), timeouts.updateMs, `${what}: the update did not finish within timeouts.update`);
      } catch (error) {
        throw new Error(`${what}: ${describeError(error)}`, { cause: error });
      }
      const after = (changed ? await client.images.get(id) : undefined) ?? live;
      return { outs: outputs(news, after, where, olds, olds.jobId ? { jobId: olds.jobId } : {}) };
    },

    async delete(id: string, props: Outputs): Promise<void> {
      const old = k.inputsOf(props as unknown as Raw);
      const { client, target } = k.clientOf(props);
      const timeouts = timeoutsOf(old.timeouts, target, k.timeouts);
      await deleteImage(client, id, {
        what: `${k.label} "${props.name}" (${id})`,
        removeMembers: props.removeMembersOnDelete === true,
        timeoutMs: timeouts.deleteMs,
        ...(props.pendingJobId ? { pendingJobId: props.pendingJobId, jobClient: k.jobClientOf?.(props) ?? client } : {}),
      });
    },
  };
}
