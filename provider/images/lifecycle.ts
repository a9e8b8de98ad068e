/**
 * How a PrivateImage or DataImage converges: check, diff, create, read, update, delete over the
 * IMS client, with no duplicate images, partial failures recorded, and drift shown on refresh.
 */
import { randomBytes } from "node:crypto";
import { statSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import type * as pulumi from "@pulumi/pulumi";
import { clientFor, parseDuration, type Target } from "../config";
import {
  ImsApiError,
  ImsJobFailedError,
  ImsOutcomeUnknownError,
  ImsTimeoutError,
  jobImageIds,
  type Image,
  type ImsClient,
  type Job,
  type JobRef,
} from "../client";
import { isUnknown, sourceKind, validateImageInputs, type ImageInputs, type SourceKind } from "./inputs";
import type { ImsReadResult } from "../types";

export type ImageKind = "private" | "data";

/** What state holds for an image: its inputs, and its live attributes. */
export interface ImageOutputs extends ImageInputs {
  /** Region and project the image lives in. */
  imageRegion: string;
  projectId: string;
  status: string;
  sizeBytes: number;
  diskFormat: string;
  osVersion: string;
  osType: string;
  osBit: string;
  platform: string;
  visibility: string;
  imageType: string;
  checksum: string;
  minDisk: number;
  virtualEnvType: string;
  createdAt: string;
  updatedAt: string;
  /** The job that created the image. */
  jobId?: string;
  /** A creation job still running when the create timed out; the next `up` waits for it. */
  pendingJobId?: string;
  /** Why the creation failed; the next `up` replaces the image. */
  failure?: { code: string; reason: string };
}

const RESOURCE_NAME: Record<ImageKind, string> = { private: "PrivateImage", data: "DataImage" };

/** Tag that marks an image while it is being created, so a lost answer can be reconciled. */
export const CREATE_MARKER = "pulumi-ims-create";

/** How long after creation a missing image is taken for eventual consistency, not deletion. */
const READ_GRACE_MS = 60_000;
const PROGRESS_EVERY_MS = 30_000;
/** How long to look for the image of a create whose answer was lost, before sending the create again. */
const LOOKUP_MS = 6_000;
/** Create requests sent at most, each after the previous one's answer was lost and no image was found. */
const CREATE_ATTEMPTS = 5;

type Raw = Record<string, unknown>;

/** A partial failure: Pulumi records the resource with these properties and the next `up` repairs it. */
class ResourceInitError extends Error {
  constructor(
    message: string,
    readonly id: string,
    readonly properties: Raw,
    readonly reasons: string[],
  ) {
    super(message);
    this.name = "ResourceInitError";
  }
}

/** JSON-clean copy: no undefined (the engine's Struct conversion refuses it). */
const clean = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;


/** Rejects with ImsTimeoutError when `work` takes longer than `ms`. */
async function withDeadline<T>(work: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ImsTimeoutError(`${message} (${Math.round(ms / 1000)} s)`)), ms);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

function timeoutsOf(inputs: ImageInputs, target: Target) {
  const t = inputs.timeouts ?? {};
  return {
    createMs: t.create !== undefined ? parseDuration(t.create, "timeouts.create") : target.timeouts.createMs,
    updateMs: t.update !== undefined ? parseDuration(t.update, "timeouts.update") : target.timeouts.updateMs,
    deleteMs: t.delete !== undefined ? parseDuration(t.delete, "timeouts.delete") : target.timeouts.deleteMs,
  };
}

/** The client and target of an image: its own region and profile, else the provider's. */
const clientOf = (inputs: Pick<ImageInputs, "region" | "profile">) =>
  clientFor({ ...(inputs.region ? { region: inputs.region } : {}), ...(inputs.profile ? { profile: inputs.profile } : {}) });

/** The client of an existing image: the region it was made in, whatever the settings say now. */
const clientOfExisting = (props: ImageOutputs) =>
  clientOf({ ...inputsOf(props as unknown as Raw), ...(props.imageRegion ? { region: props.region ?? props.imageRegion } : {}) });

/** The inputs part of a bag of outputs (what the program declared). */
function inputsOf(o: Raw): ImageInputs {
  const keys = ["name", "description", "minRam", "maxRam", "tags", "source", "region", "profile", "timeouts", "adoptImageId", "removeMembersOnDelete"];
  return Object.fromEntries(keys.filter((k) => o[k] !== undefined).map((k) => [k, o[k]])) as unknown as ImageInputs;
}

/** Tags of an image object ("key=value" strings); without the creation marker unless asked for. */
function liveTags(image: Image, withMarker = false): Record<string, string> {
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

function outputsOf(inputs: ImageInputs, image: Image, target: Target, projectId: string, extra: Partial<ImageOutputs> = {}): ImageOutputs {
  const size = Number(image.__image_size ?? image.size ?? 0);
  return clean({
    ...inputs,
    imageRegion: target.region,
    projectId,
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
    ...extra,
  });
}

/** The declared inputs that the live image implies (for refresh: drift becomes visible). */
function inputsFromLive(old: ImageInputs, image: Image): ImageInputs {
  const description = image.__description ?? "";
  const isData = image.virtual_env_type === "DataImage";
  const maxRam = isData ? undefined : liveMaxRam(image);
  const minRam = isData ? 0 : (image.min_ram ?? 0);
  return clean({
    ...old,
    name: image.name,
    description: description === "" && old.description === undefined ? undefined : description,
    minRam: minRam === 0 && old.minRam === undefined ? undefined : minRam,
    maxRam,
    tags: Object.keys(liveTags(image)).length === 0 && old.tags === undefined ? undefined : liveTags(image),
  });
}

function progressReporter(what: string) {
  let last = Date.now();
  return ({ jobId, status, elapsedMs }: { jobId: string; status: string; elapsedMs: number }) => {
    if (Date.now() - last < PROGRESS_EVERY_MS) return;
    last = Date.now();
    console.log(`${what}: IMS job ${jobId} is ${status} after ${Math.round(elapsedMs / 1000)} s`);
  };
}

/**
 * Sends the create call of the declared source; the job it starts, or for uploads the queued
 * image (its file is sent by {@link uploadFile}).
 */
async function submit(kind: ImageKind, sk: SourceKind, client: ImsClient, inputs: ImageInputs, tags: Record<string, string>): Promise<{ job?: JobRef; imageId?: string }> {
  const s = inputs.source;
  const tagList = Object.entries(tags).map(([key, value]) => ({ key, value }));
  const common = {
    name: inputs.name,
    ...(inputs.description !== undefined ? { description: inputs.description } : {}),
    ...(tagList.length ? { tags: tagList } : {}),
  };
  const ram = { ...(inputs.minRam !== undefined ? { minRam: inputs.minRam } : {}), ...(inputs.maxRam !== undefined ? { maxRam: inputs.maxRam } : {}) };
  const images = client.images;
  if (kind === "data") {
    if (sk === "volume") return { job: await images.createDataImagesFromVolumes({ images: [{ ...common, volumeId: s.volumeId! }] }) };
    if (s.quickImport) {
      return {
        job: await images.quickImport({ ...common, imageUrl: s.imageUrl!, minDisk: s.minDisk!, type: "DataImage", ...(s.osType && s.osType !== "Other" ? { osType: s.osType } : {}) }),
      };
    }
    return {
      job: await images.createDataImageFromFile({
        ...common,
        imageUrl: s.imageUrl!,
        minDisk: s.minDisk!,
        ...(s.osType && s.osType !== "Other" ? { osType: s.osType } : {}),
        ...(s.cmkId ? { cmkId: s.cmkId } : {}),
      }),
    };
  }
  switch (sk) {
    case "file":
      if (s.quickImport) {
        return {
          job: await images.quickImport({
            ...common,
            ...ram,
            imageUrl: s.imageUrl!,
            minDisk: s.minDisk!,
            ...(s.osVersion ? { osVersion: s.osVersion } : {}),
            ...(s.type && s.type !== "IsoImage" ? { type: s.type } : {}),
            ...(s.architecture ? { architecture: s.architecture } : {}),
            ...(s.firmware ? { hwFirmwareType: s.firmware } : {}),
            ...(s.licenseType ? { licenseType: s.licenseType } : {}),
          }),
        };
      }
      return {
        job: await images.createFromFile({
          ...common,
          ...ram,
          imageUrl: s.imageUrl!,
          minDisk: s.minDisk!,
          ...(s.osVersion ? { osVersion: s.osVersion } : {}),
          ...(s.osType ? { osType: s.osType } : {}),
          ...(s.isConfig !== undefined ? { isConfig: s.isConfig } : {}),
          ...(s.cmkId ? { cmkId: s.cmkId } : {}),
          ...(s.type ? { type: s.type } : {}),
          ...(s.architecture ? { architecture: s.architecture } : {}),
          ...(s.firmware ? { hwFirmwareType: s.firmware } : {}),
        }),
      };
    case "instance":
      return { job: await images.createFromInstance({ ...common, ...ram, instanceId: s.instanceId! }) };
    case "whole-instance":
      return { job: await images.createWholeImage({ ...common, ...ram, instanceId: s.instanceId!, ...(s.vaultId ? { vaultId: s.vaultId } : {}) }) };
    case "backup":
      return { job: await images.createWholeImage({ ...common, ...ram, backupId: s.backupId!, wholeImageType: s.backupType ?? "CBR" }) };
    case "volume":
      return {
        job: await images.createFromVolume({ ...common, ...ram, volumeId: s.volumeId!, osVersion: s.osVersion!, ...(s.type ? { type: s.type as "ECS" | "BMS" } : {}) }),
      };
    case "upload": {
      const image = await images.glanceCreate({
        name: inputs.name,
        min_disk: s.minDisk!,
        ...(s.osVersion ? { __os_version: s.osVersion } : {}),
        tags: Object.entries(tags).map(([k, v]) => `${k}=${v}`),
      });
      return { imageId: image.id };
    }
  }
}

/**
 * Sends the local file into an image made by `POST /v2/images`, unless the image already took one
 * (an upload whose answer was lost); returns the file's MD5 when it was sent.
 */
async function uploadFile(client: ImsClient, imageId: string, path: string): Promise<string | undefined> {
  for (let attempt = 0; ; attempt++) {
    const image = await client.images.get(imageId);
    if (!image) throw new Error(`image ${imageId} disappeared before its file was uploaded`);
    if (image.status !== "queued") return undefined;
    try {
      return (await client.images.glanceUploadFile(imageId, path)).md5;
    } catch (error) {
      if (!(error instanceof ImsOutcomeUnknownError) || attempt >= 2) throw error;
    }
  }
}

/** The image a create whose answer was lost may have made: same name and marker (or made since `since`). */
async function findCreated(client: ImsClient, projectId: string, name: string, marker: string | undefined, since: number): Promise<Image | undefined> {
  const candidates = await client.images.list({ name, owner: projectId });
  return candidates.find((image) =>
    marker ? (image.tags ?? []).includes(`${CREATE_MARKER}=${marker}`) : Date.parse(image.created_at ?? "") >= since - 10_000,
  );
}

/** Looks for the image of a lost create answer for up to LOOKUP_MS, on the geometric schedule. */
async function lookForCreated(client: ImsClient, projectId: string, name: string, marker: string | undefined, since: number): Promise<Image | undefined> {
  const deadline = Date.now() + LOOKUP_MS;
  for (let n = 0; ; n++) {
    const found = await findCreated(client, projectId, name, marker, since).catch(() => undefined);
    if (found || Date.now() >= deadline) return found;
    await sleep(Math.min(250 * 1.5 ** n, 5000, Math.max(0, deadline - Date.now())));
  }
}

/** Brings name, description, RAM limits and tags of a live image to the declared ones. */
async function converge(client: ImsClient, imageId: string, inputs: ImageInputs, live: Image): Promise<void> {
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
async function readImage(client: ImsClient, imageId: string, createdAt: string | undefined): Promise<Image | undefined> {
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

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Verifies that an image to adopt is the declared kind of image, from the declared kind of source. */
function checkAdoptable(kind: ImageKind, sk: SourceKind, image: Image, projectId: string, id: string): void {
  const label = RESOURCE_NAME[kind];
  if (image.owner && image.owner !== projectId) throw new Error(`adoptImageId ${id}: the image belongs to project ${image.owner}, not to ${projectId}; only an own private image can be adopted`);
  const isData = image.virtual_env_type === "DataImage";
  if (isData !== (kind === "data")) throw new Error(`adoptImageId ${id}: the image is ${isData ? "a data image" : "a system image"}; declare it as ${isData ? "a DataImage" : "a PrivateImage"}`);
  const origin = image.__data_origin ?? "";
  const whole = String(image.__whole_image ?? "") === "true";
  const expected: Record<SourceKind, (o: string) => boolean> = {
    file: (o) => o.startsWith("file,") || (o === "" && image.__root_origin === "file"),
    upload: (o) => o === "" || o.startsWith("file,"),
    instance: (o) => o.startsWith("instance,") && !whole,
    "whole-instance": () => whole,
    backup: () => whole,
    volume: (o) => o.startsWith("volume,") || (kind === "data" && o.startsWith("instance,")),
  };
  if (origin !== "" || whole) {
    if (!expected[sk](origin)) throw new Error(`adoptImageId ${id}: the image was made from ${origin || "a full ECS"}, which does not match the declared source; ${label} source must describe how the image was made`);
  }
}

/** The provider methods of one image kind. */
export function imageProvider(kind: ImageKind) {
  const label = RESOURCE_NAME[kind];

  async function create(raw: Raw): Promise<pulumi.dynamic.CreateResult<ImageOutputs>> {
    const inputs = inputsOf(raw);
    const { client, target } = clientOf(inputs);
    const timeouts = timeoutsOf(inputs, target);
    const projectId = await client.projectId();
    const sk = sourceKind(inputs.source)!;
    const what = `${label} "${inputs.name}"`;

    if (inputs.adoptImageId) {
      const image = await client.images.get(inputs.adoptImageId);
      if (!image) throw new Error(`adoptImageId ${inputs.adoptImageId}: no such image in project ${projectId} (${target.region})`);
      checkAdoptable(kind, sk, image, projectId, inputs.adoptImageId);
      await converge(client, image.id, inputs, image);
      const live = (await client.images.get(image.id)) ?? image;
      return { id: image.id, outs: outputsOf(inputs, live, target, projectId) };
    }

    const userTags = inputs.tags ?? {};
    const marker = Object.keys(userTags).length < 10 ? randomBytes(16).toString("hex") : undefined;
    const tags = marker ? { ...userTags, [CREATE_MARKER]: marker } : userTags;
    const started = Date.now();
    let submitted: { job?: JobRef; imageId?: string } | undefined;
    for (let attempt = 0; attempt < CREATE_ATTEMPTS && !submitted; attempt++) {
      // Each attempt follows a lost answer that made no image: back off before sending it again.
      if (attempt > 0) await sleep(250 * 2 ** (attempt - 1));
      try {
        submitted = await submit(kind, sk, client, inputs, tags);
      } catch (error) {
        if (!(error instanceof ImsOutcomeUnknownError)) throw new Error(`${what}: ${describeError(error)}`, { cause: error });
        // The service may list the image only a little later: look for a while before sending again.
        const found = await lookForCreated(client, projectId, inputs.name, marker, started);
        if (found) submitted = { imageId: found.id };
      }
    }
    if (!submitted) {
      throw new Error(`${what}: the create request could not be confirmed after ${CREATE_ATTEMPTS} attempts, and no image was made; run pulumi up again`);
    }

    let imageId = submitted.imageId;
    const jobId = submitted.job?.job_id;
    const partial = async (message: string, extra: Partial<ImageOutputs>): Promise<never> => {
      const id = imageId ?? (await findCreated(client, projectId, inputs.name, marker, started).catch(() => undefined))?.id;
      if (!id) throw new Error(message);
      const live = await client.images.get(id).catch(() => undefined);
      const properties = live ? outputsOf(inputs, live, target, projectId, { ...(jobId ? { jobId } : {}), ...extra }) : clean({ ...inputs, ...extra });
      throw new ResourceInitError(message, id, { ...properties, __provider: raw.__provider }, [message]);
    };
    let md5: string | undefined;
    if (sk === "upload" && imageId) {
      try {
        md5 = await uploadFile(client, imageId, inputs.source.localFile!);
      } catch (error) {
        return partial(`${what}: the file could not be uploaded: ${describeError(error)}. The next pulumi up replaces the image.`, {
          failure: { code: error instanceof ImsApiError ? (error.code ?? "") : "", reason: describeError(error) },
        });
      }
    }
    if (jobId) {
      let job: Job;
      try {
        job = await client.jobs.wait(jobId, { timeoutMs: timeouts.createMs, onProgress: progressReporter(what) });
      } catch (error) {
        if (error instanceof ImsJobFailedError) {
          const ids = jobImageIds({ status: "FAIL", job_id: jobId, job_type: error.jobType, entities: error.entities });
          imageId = imageId ?? ids[0];
          return partial(`${what}: ${error.message}. The next pulumi up replaces the image.`, {
            failure: { code: error.errorCode ?? "", reason: error.failReason ?? "" },
          });
        }
        // A timeout, or losing sight of the job: the next up waits for the same job.
        return partial(`${what}: ${describeError(error)}`, { pendingJobId: jobId });
      }
      imageId = imageId ?? jobImageIds(job)[0];
      if (!imageId) throw new Error(`${what}: IMS job ${jobId} succeeded without naming an image`);
    } else if (imageId) {
      try {
        await client.images.waitUntilActive(imageId, { timeoutMs: timeouts.createMs, ...(md5 ? { expectedMd5: md5 } : {}) });
      } catch (error) {
        return partial(`${what}: ${describeError(error)}`, error instanceof ImsTimeoutError ? {} : { failure: { code: "", reason: describeError(error) } });
      }
    }
    try {
      const created = await readImage(client, imageId!, new Date().toISOString());
      if (!created) throw new Error(`image ${imageId} was created but cannot be read back`);
      await converge(client, imageId!, inputs, created);
      const live = (await client.images.get(imageId!)) ?? created;
      return { id: imageId!, outs: outputsOf(inputs, live, target, projectId, jobId ? { jobId } : {}) };
    } catch (error) {
      // The image exists: record it, and the next up brings its attributes to the declared ones.
      return partial(`${what}: ${describeError(error)}`, {});
    }
  }

  return {
    async check(_olds: Raw, news: Raw): Promise<pulumi.dynamic.CheckResult<ImageInputs>> {
      const failures = validateImageInputs(kind, news);
      const localFile = (news.source as { localFile?: unknown } | undefined)?.localFile;
      if (typeof localFile === "string" && !isUnknown(localFile) && !failures.some((f) => f.property.startsWith("source"))) {
        const stat = statSync(localFile, { throwIfNoEntry: false });
        if (!stat?.isFile() || stat.size === 0) {
          failures.push({ property: "source.localFile", reason: `${localFile} is not a readable, non-empty file on this machine` });
        }
      }
      if (failures.length === 0 && !isUnknown(news.region) && !isUnknown(news.profile)) {
        // Settings problems (no region, no credentials…) fail here, before any API call.
        clientFor({ ...(typeof news.region === "string" ? { region: news.region } : {}), ...(typeof news.profile === "string" ? { profile: news.profile } : {}) });
      }
      return failures.length ? { failures } : { inputs: news as unknown as ImageInputs };
    },

    async diff(id: string, olds: ImageOutputs, news: ImageInputs): Promise<pulumi.dynamic.DiffResult> {
      const replaces: string[] = [];
      const changed: string[] = [];
      const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
      if (olds.failure || olds.status === "killed") replaces.push("source");
      // Dropping adoptImageId once the image is adopted changes nothing: the image stays.
      const keepsAdopted = news.adoptImageId === undefined && olds.adoptImageId === id;
      // The region that counts is where the image would be: the declared one, else the provider's.
      let newRegion: string | undefined;
      try {
        newRegion = isUnknown(news.region) ? undefined : (news.region ?? clientOf(news).target.region);
      } catch {
        newRegion = news.region;
      }
      const regionMoves =
        isUnknown(news.region) || (newRegion !== undefined && olds.imageRegion ? newRegion !== olds.imageRegion : !same(olds.region, news.region));
      if (regionMoves) replaces.push("region");
      for (const key of ["source", "adoptImageId"] as const) {
        if (key === "adoptImageId" && keepsAdopted) continue;
        if (isUnknown(news[key]) || !same(olds[key], news[key])) if (!replaces.includes(key)) replaces.push(key);
      }
      for (const key of ["name", "description", "minRam", "maxRam", "profile", "timeouts", "removeMembersOnDelete"] as const) {
        if (isUnknown(news[key]) || !same(olds[key], news[key])) changed.push(key);
      }
      if (isUnknown(news.tags) || !same(olds.tags ?? {}, news.tags ?? {})) changed.push("tags");
      if (olds.pendingJobId) changed.push("pendingJobId");
      return { changes: replaces.length > 0 || changed.length > 0, replaces, deleteBeforeReplace: false };
    },

    create,

    async read(id: string, props?: ImageOutputs): Promise<ImsReadResult<ImageInputs, ImageOutputs>> {
      if (!props) return { id: "" };
      const old = inputsOf(props as unknown as Raw);
      const { client, target } = clientOfExisting(props);
      const image = await readImage(client, id, props.createdAt);
      if (!image) {
        console.warn(`${label} "${props.name}" (${id}) no longer exists in ${props.imageRegion || target.region}: it is removed from the state`);
        return { id: "" };
      }
      const inputs = inputsFromLive(old, image);
      const extra: Partial<ImageOutputs> = {};
      if (props.jobId) extra.jobId = props.jobId;
      if (props.pendingJobId && image.status !== "active") extra.pendingJobId = props.pendingJobId;
      if (props.failure && image.status !== "active") extra.failure = props.failure;
      return { id, props: outputsOf(inputs, image, target, props.projectId || (await client.projectId()), extra), inputs };
    },

    async update(id: string, olds: ImageOutputs, news: ImageInputs): Promise<pulumi.dynamic.UpdateResult<ImageOutputs>> {
      const { client, target } = clientOfExisting({ ...olds, ...news, region: news.region } as ImageOutputs);
      const timeouts = timeoutsOf(news, target);
      const what = `${label} "${news.name}"`;
      const projectId = olds.projectId || (await client.projectId());
      if (olds.pendingJobId) {
        try {
          await client.jobs.wait(olds.pendingJobId, { timeoutMs: timeouts.createMs, onProgress: progressReporter(what) });
        } catch (error) {
          const live = await client.images.get(id).catch(() => undefined);
          // Only a job that failed makes the image failed; anything else leaves the job to wait for again.
          const extra: Partial<ImageOutputs> = {
            ...(olds.jobId ? { jobId: olds.jobId } : {}),
            ...(error instanceof ImsJobFailedError
              ? { failure: { code: error.errorCode ?? "", reason: error.failReason ?? describeError(error) } }
              : { pendingJobId: olds.pendingJobId }),
          };
          const properties = live ? outputsOf(news, live, target, projectId, extra) : clean({ ...news, ...extra });
          throw new ResourceInitError(`${what}: ${describeError(error)}`, id, { ...properties, __provider: (news as unknown as Raw).__provider }, [describeError(error)]);
        }
      }
      const live = await client.images.get(id);
      if (!live) throw new Error(`${what}: image ${id} no longer exists; run pulumi refresh, then pulumi up to create it again`);
      try {
        await withDeadline(converge(client, id, news, live), timeouts.updateMs, `${what}: the update did not finish within timeouts.update`);
      } catch (error) {
        throw new Error(`${what}: ${describeError(error)}`, { cause: error });
      }
      const after = (await client.images.get(id)) ?? live;
      return { outs: outputsOf(news, after, target, projectId, olds.jobId ? { jobId: olds.jobId } : {}) };
    },

    async delete(id: string, props: ImageOutputs): Promise<void> {
      const old = inputsOf(props as unknown as Raw);
      const { client, target } = clientOfExisting(props);
      const timeouts = timeoutsOf(old, target);
      const what = `${label} "${props.name}" (${id})`;
      if (props.pendingJobId) {
        await client.jobs.wait(props.pendingJobId, { timeoutMs: timeouts.deleteMs, onProgress: progressReporter(what) }).catch(() => undefined);
      }
      let members: { member_id: string; status: string }[];
      try {
        members = await client.members.list(id);
      } catch (error) {
        // A 404 may also mean a wrong endpoint: only an image that cannot be read is taken as gone.
        if (error instanceof ImsApiError && (error.status === 404 || error.code === "IMG.0027") && !(await client.images.get(id))) return;
        throw new Error(`${what}: ${describeError(error)}`, { cause: error });
      }
      if (members.length > 0) {
        const held = members.map((m) => `${m.member_id} (${m.status})`).join(", ");
        if (!props.removeMembersOnDelete) {
          throw new Error(
            `${what} is still shared with project(s) ${held}: delete the ImageMember resources that share it first, ` +
              "or set removeMembersOnDelete: true to stop sharing it on delete",
          );
        }
        const job = await client.members.remove([id], members.map((m) => m.member_id));
        await client.jobs.wait(job.job_id, { timeoutMs: timeouts.deleteMs });
      }
      try {
        await client.images.deleteAndWait(id, timeouts.deleteMs);
      } catch (error) {
        throw new Error(`${what}: ${describeError(error)}`, { cause: error });
      }
    },
  };
}
