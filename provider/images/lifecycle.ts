/**
 * How a PrivateImage or DataImage converges: check, diff, create, read, update, delete over the
 * IMS client, with no duplicate images, partial failures recorded, and drift shown on refresh.
 */
import { createHash, randomBytes } from "node:crypto";
import { createReadStream, statSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import type * as pulumi from "@pulumi/pulumi";
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
import {
  changedInputs,
  checkSettings,
  clean,
  clientOf,
  describeError,
  explainCode,
  inputsOf,
  isUnknown,
  movesRegion,
  progressReporter,
  ResourceInitError,
  same,
  timeoutsOf,
  uploadReporter,
  warn,
  withAutoName,
  type Raw,
} from "../common";
import { sourceKind, validateImageInputs, type SourceKind } from "./inputs";
import { dataImageRequests, deleteDataImages, deleteKilledDataImages, findDataImages, needsRestore, refreshDataImages, restoreDataImages } from "./data-disks";
import { converge, CREATE_MARKER, existingImage, liveTags, outputsOf, readImage } from "./live";
import { imageSchema, imageSchemas, type ImageInputs, type ImageOutputs } from "./schema";

export type ImageKind = "private" | "data";

const RESOURCE_NAME: Record<ImageKind, string> = { private: "PrivateImage", data: "DataImage" };

/** How long to look for the image of a create whose answer was lost, before sending the create again. */
const LOOKUP_MS = 6_000;
/** Create requests sent at most, each after the previous one's answer was lost and no image was found. */
const CREATE_ATTEMPTS = 5;
/** How old a listing of the project may be to tell which images carry a creation marker. */
const MARKER_LISTING_MAX_AGE_MS = 10_000;

/** The declared inputs in a bag of properties (the engine's inputs, or the outputs of the state). */
const imageInputsOf = (raw: Raw): ImageInputs => inputsOf<ImageInputs>(imageSchema, raw);

/** The client of an existing image: the region it was made in, whatever the settings say now. */
const clientOfExisting = (props: ImageOutputs) =>
  clientOf({ ...imageInputsOf(props as unknown as Raw), ...(props.imageRegion ? { region: props.region ?? props.imageRegion } : {}) });

/**
 * Sends the create call of the declared source; the job it starts, or for uploads the queued
 * image (its file is sent by {@link uploadFile}).
 */
async function submit(
  kind: ImageKind,
  sk: SourceKind,
  client: ImsClient,
  inputs: ImageInputs,
  tags: Record<string, string>,
  marker: string | undefined,
): Promise<{ job?: JobRef; imageId?: string }> {
  const s = inputs.source;
  const tagList = Object.entries(tags).map(([key, value]) => ({ key, value }));
  const common = {
    name: inputs.name,
    ...(inputs.description !== undefined ? { description: inputs.description } : {}),
    ...(tagList.length ? { tags: tagList } : {}),
    ...(inputs.enterpriseProjectId !== undefined ? { enterpriseProjectId: inputs.enterpriseProjectId } : {}),
  };
  const ram = { ...(inputs.minRam !== undefined ? { minRam: inputs.minRam } : {}), ...(inputs.maxRam !== undefined ? { maxRam: inputs.maxRam } : {}) };
  const images = client.images;
  if (kind === "data") {
    if (sk === "volume") {
      const { enterpriseProjectId, ...image } = common;
      return { job: await images.createDataImagesFromVolumes({ images: [{ ...image, volumeId: s.volumeId! }], ...(enterpriseProjectId !== undefined ? { enterpriseProjectId } : {}) }) };
    }
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
          ...(s.dataDisks?.length ? { dataImages: dataImageRequests(inputs, marker) } : {}),
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
    // Metadata first (the file is registered into the queued image, see registerFile); the enterprise project follows in converge.
    case "register":
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
async function uploadFile(client: ImsClient, imageId: string, path: string, what: string): Promise<string | undefined> {
  for (let attempt = 0; ; attempt++) {
    const image = await client.images.get(imageId);
    if (!image) throw new Error(`image ${imageId} disappeared before its file was uploaded`);
    if (image.status !== "queued") return undefined;
    try {
      return (await client.images.glanceUploadFile(imageId, path, uploadReporter(what, statSync(path).size))).md5;
    } catch (error) {
      if (!(error instanceof ImsOutcomeUnknownError) || attempt >= 2) throw error;
    }
  }
}

/**
 * Registers the OBS file into an image made by `POST /v2/images` ("Registering an Image File"): the
 * job that imports it; none when the image already takes a file (a registration whose answer was
 * lost, or an interrupted run's), which then only has to become active.
 */
async function registerFile(client: ImsClient, imageId: string, imageUrl: string): Promise<JobRef | undefined> {
  const image = await client.images.get(imageId);
  if (!image) throw new Error(`image ${imageId} disappeared before its file was registered`);
  if (image.status !== "queued") return undefined;
  try {
    return await client.images.register(imageId, imageUrl);
  } catch (error) {
    // IMG.1075 on an image made here by POST /v2/images: it already takes a file.
    if (error instanceof ImsOutcomeUnknownError || (error instanceof ImsApiError && error.code === "IMG.1075")) return undefined;
    throw error;
  }
}

/** What to do about the service's refusals of a registration, by code ("Registering an Image File"). */
const REGISTER_HINTS: Record<string, string> = {
  "IMG.0057": "source.imageUrl names no image file IMS can read (missing, empty, not an image, or not readable by IMS): upload it, or name the right object",
  "IMG.0058": "the bucket of source.imageUrl is in another region: register a file of a bucket in the image's region",
  "IMG.0017": 'source.imageUrl is not a valid "bucket:object"',
};

const explainRegistration = (error: unknown): string => explainCode(error, REGISTER_HINTS);

/** The image a create whose answer was lost may have made: the one with its marker (or of its name, made since `since`). */
async function findCreated(client: ImsClient, projectId: string, name: string, marker: string | undefined, since: number): Promise<Image | undefined> {
  if (marker) return (await client.images.list({ owner: projectId, tag: `${CREATE_MARKER}=${marker}` })).find((image) => image.status !== "killed");
  const candidates = await client.images.list({ name, owner: projectId });
  return candidates.find((image) => Date.parse(image.created_at ?? "") >= since - 10_000);
}

/** How the live image was made, when that is not the declared source; undefined when it is. */
function otherSource(sk: SourceKind, source: ImageInputs["source"], image: Image): string | undefined {
  const origin = image.__data_origin ?? "";
  const whole = String(image.__whole_image ?? "") === "true";
  const expected: Record<SourceKind, boolean> = {
    file: origin === "" ? image.__root_origin === "file" : origin === `file,${source.imageUrl}`,
    register: origin === "" || origin === `file,${source.imageUrl}`,
    upload: origin === "" || origin.startsWith("file,"),
    instance: !whole && origin === `instance,${source.instanceId}`,
    "whole-instance": whole,
    backup: whole && (image.__backup_id ?? source.backupId) === source.backupId,
    volume: origin === `volume,${source.volumeId}`,
  };
  return expected[sk] ? undefined : origin || (whole ? "a full ECS" : "an unknown source");
}

/**
 * What an earlier, interrupted run made for this resource: the image carrying its creation marker
 * (being created, or done), taken over instead of creating another. Images it left `killed` are
 * deleted; an image made from another source is refused, saying which and what to do.
 */
async function earlierImage(client: ImsClient, projectId: string, marker: string, sk: SourceKind, inputs: ImageInputs, what: string, hold: Hold): Promise<Image | undefined> {
  const marked = await markedImages(client, projectId, marker, hold);
  for (const failed of marked.filter((image) => image.status === "killed")) await client.images.delete(failed.id);
  const live = marked.find((image) => image.status !== "killed");
  if (!live) return undefined;
  const made = otherSource(sk, inputs.source, live);
  if (made) {
    throw new Error(
      `${what}: image ${live.id} carries this resource's creation marker (an earlier, interrupted pulumi up made it) but was made from ${made}, ` +
        "not from the declared source: delete that image, or declare the source it was made from, and run pulumi up again",
    );
  }
  return live;
}

/**
 * The project's images that carry a creation marker: from a listing of the project taken in the
 * last MARKER_LISTING_MAX_AGE_MS, which every create of the process shares (an interrupted run's
 * images were made before this process started), or by the tag filter in a project too large to list
 * or when the listing fails.
 */
async function markedImages(client: ImsClient, projectId: string, marker: string, hold: Hold): Promise<Image[]> {
  const byTag = () => client.images.list({ owner: projectId, tag: `${CREATE_MARKER}=${marker}` });
  // A listing that fails (a page refused, its turn not come) costs the create nothing: the tag filter answers.
  const listed = await client.images.projectImages(MARKER_LISTING_MAX_AGE_MS).catch(() => undefined);
  if (!listed) return byTag();
  hold.release = listed.release;
  if (!listed.images) return byTag();
  return [...listed.images.values()].filter((image) => liveTags(image, true)[CREATE_MARKER] === marker);
}

/** What a create holds until it ends: the listing of the project it shares with the creates beside it. */
interface Hold {
  release?: () => void;
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
    register: (o) => o === "" || o.startsWith("file,"),
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

/** The SHA-256 of a file (hex), read as a stream. */
async function sha256Of(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/** The provider methods of one image kind. */
export function imageProvider(kind: ImageKind) {
  const label = RESOURCE_NAME[kind];
  const existing = existingImage<ImageInputs, ImageOutputs>({
    label,
    inputsOf: imageInputsOf,
    clientOf: (olds, news) => clientOfExisting(news ? ({ ...olds, ...news, region: news.region } as ImageOutputs) : olds),
  });

  async function create(raw: Raw): Promise<pulumi.dynamic.CreateResult<ImageOutputs>> {
    const hold: Hold = {};
    try {
      return await createImage(raw, hold);
    } finally {
      hold.release?.();
    }
  }

  async function createImage(raw: Raw, hold: Hold): Promise<pulumi.dynamic.CreateResult<ImageOutputs>> {
    const inputs = imageInputsOf(raw);
    const { client, target } = clientOf(inputs);
    const timeouts = timeoutsOf(inputs.timeouts, target);
    const projectId = await client.projectId();
    const sk = sourceKind(inputs.source)!;
    const what = `${label} "${inputs.name}"`;

    if (inputs.adoptImageId) {
      const image = await client.images.get(inputs.adoptImageId);
      if (!image) throw new Error(`adoptImageId ${inputs.adoptImageId}: no such image in project ${projectId} (${target.region})`);
      checkAdoptable(kind, sk, image, projectId, inputs.adoptImageId);
      const changed = await converge(client, image.id, inputs, image);
      const live = (changed ? await client.images.get(image.id) : undefined) ?? image;
      return { id: image.id, outs: outputsOf(inputs, live, { region: target.region, projectId }) };
    }

    const userTags = inputs.tags ?? {};
    // The marker (stable across runs of the stack, from the SDK) needs a free tag slot.
    const marker = Object.keys(userTags).length < 10 ? (inputs.creationMarker ?? randomBytes(16).toString("hex")) : undefined;
    const tags = marker ? { ...userTags, [CREATE_MARKER]: marker } : userTags;
    const started = Date.now();
    let submitted: { job?: JobRef; imageId?: string } | undefined;
    let earlier: Image | undefined;
    if (marker) {
      earlier = await earlierImage(client, projectId, marker, sk, inputs, what, hold);
      if (earlier) submitted = { imageId: earlier.id };
      if (inputs.source.dataDisks?.length) await deleteKilledDataImages(client, inputs, marker);
    }
    for (let attempt = 0; attempt < CREATE_ATTEMPTS && !submitted; attempt++) {
      // Each attempt follows a lost answer that made no image: back off before sending it again.
      if (attempt > 0) await sleep(250 * 2 ** (attempt - 1));
      try {
        submitted = await submit(kind, sk, client, inputs, tags, marker);
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
    let jobId = submitted.job?.job_id;
    let job: Job | undefined;
    const withDataDisks = sk === "file" && (inputs.source.dataDisks?.length ?? 0) > 0;
    const partial = async (message: string, extra: Partial<ImageOutputs>): Promise<never> => {
      const id = imageId ?? (await findCreated(client, projectId, inputs.name, marker, started).catch(() => undefined))?.id;
      if (!id) throw new Error(message);
      // Data images made with it are recorded too, so that the replacement deletes them.
      if (withDataDisks) {
        const failedJob = job ?? (extra.failure && jobId ? await client.jobs.get(jobId).catch(() => undefined) : undefined);
        const dataImages = await findDataImages(client, inputs, id, { ...(failedJob ? { job: failedJob } : {}), ...(marker ? { marker } : {}) }).catch(() => undefined);
        if (dataImages) extra = { ...extra, dataImages: dataImages.filter((d) => d.id !== "") };
      }
      const live = await client.images.get(id).catch(() => undefined);
      const properties = live ? outputsOf(inputs, live, { region: target.region, projectId }, { ...(jobId ? { jobId } : {}), ...extra }) : clean({ ...inputs, ...extra });
      throw new ResourceInitError(message, id, { ...properties, __provider: raw.__provider }, [message]);
    };
    let md5: string | undefined;
    if (sk === "upload" && imageId) {
      try {
        md5 = await uploadFile(client, imageId, inputs.source.localFile!, what);
      } catch (error) {
        return partial(`${what}: the file could not be uploaded: ${describeError(error)}. The next pulumi up replaces the image.`, {
          failure: { code: error instanceof ImsApiError ? (error.code ?? "") : "", reason: describeError(error) },
        });
      }
    }
    if (sk === "register" && imageId) {
      try {
        jobId = (await registerFile(client, imageId, inputs.source.imageUrl!))?.job_id;
      } catch (error) {
        return partial(`${what}: the file could not be registered: ${explainRegistration(error)}. The next pulumi up replaces the image.`, {
          failure: { code: error instanceof ImsApiError ? (error.code ?? "") : "", reason: describeError(error) },
        });
      }
    }
    if (jobId) {
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
      // An image made by this run has the tags it was sent with: its marker goes before the one read
      // that the outputs come from (a run that takes over an earlier image removes it in converge).
      if (marker && !earlier) await client.tags.set(imageId!, userTags, tags);
      const created = await readImage(client, imageId!, new Date().toISOString());
      if (!created) throw new Error(`image ${imageId} was created but cannot be read back`);
      const changed = await converge(client, imageId!, inputs, created);
      const dataImages = withDataDisks ? { dataImages: await findDataImages(client, inputs, imageId!, { ...(job ? { job } : {}), ...(marker ? { marker } : {}) }) } : {};
      const live = (changed ? await client.images.get(imageId!) : undefined) ?? created;
      return { id: imageId!, outs: outputsOf({ ...inputs, ...dataImages }, live, { region: target.region, projectId }, jobId ? { jobId } : {}) };
    } catch (error) {
      // The image exists: record it, and the next up brings its attributes to the declared ones.
      return partial(`${what}: ${describeError(error)}`, {});
    }
  }

  return {
    async check(olds: Raw, given: Raw): Promise<pulumi.dynamic.CheckResult<ImageInputs>> {
      const { localFileSha256: _ignored, ...rest } = given;
      const news = withAutoName(olds, rest);
      const failures = validateImageInputs(kind, news);
      const localFile = (news.source as { localFile?: unknown } | undefined)?.localFile;
      if (typeof localFile === "string" && !isUnknown(localFile) && !failures.some((f) => f.property.startsWith("source"))) {
        const stat = statSync(localFile, { throwIfNoEntry: false });
        const recorded = (olds.source as { localFile?: unknown } | undefined)?.localFile === localFile ? olds.localFileSha256 : undefined;
        if (stat?.isFile() && stat.size > 0) news.localFileSha256 = await sha256Of(localFile);
        // The image exists: its file is needed again only to make it again (a changed file, a new source).
        else if (typeof recorded === "string") news.localFileSha256 = recorded;
        else failures.push({ property: "source.localFile", reason: `${localFile} is not a readable, non-empty file on this machine` });
      }
      // Settings problems (no region, no credentials…) fail here, before any API call.
      if (failures.length === 0) checkSettings(news.region, news.profile);
      return failures.length ? { failures } : { inputs: news as unknown as ImageInputs };
    },

    async diff(id: string, olds: ImageOutputs, news: ImageInputs): Promise<pulumi.dynamic.DiffResult> {
      const { replaces, updates } = changedInputs<ImageInputs>(imageSchemas[kind], olds as unknown as Raw, news as unknown as Raw, {
        compare: {
          region: (old) => movesRegion(olds.imageRegion, old, news),
          // Dropping adoptImageId once the image is adopted changes nothing: the image stays.
          adoptImageId: (old, value) => !(value === undefined && old === id) && !same(old, value),
          tags: (old, value) => !same(old ?? {}, value ?? {}),
        },
      });
      // A failed image is made again.
      if ((olds.failure || olds.status === "killed") && !replaces.includes("source")) replaces.unshift("source");
      if (olds.pendingJobId) updates.push("pendingJobId");
      // A data image deleted outside is made again, in place.
      if (needsRestore(olds.dataImages) && !replaces.length) updates.push("dataImages");
      return { changes: replaces.length > 0 || updates.length > 0, replaces, deleteBeforeReplace: false };
    },

    create,

    async read(id: string, props?: ImageOutputs) {
      const result = await existing.read(id, props);
      if (!props?.dataImages?.length) return result;
      const { client } = clientOfExisting(props);
      if (!result.props) {
        // The system image is gone; its data images are not deleted with the state of the resource.
        const left = (await refreshDataImages(client, imageInputsOf(props as unknown as Raw), props.dataImages)).filter((d) => d.status !== "deleted");
        if (left.length) {
          warn(
            `${label} "${props.name}": its data images ${left.map((d) => `"${d.name}" (${d.id})`).join(", ")} still exist and are no longer managed: ` +
              "delete them, or declare them as DataImage resources with adoptImageId",
          );
        }
        return result;
      }
      return { ...result, props: { ...result.props, dataImages: await refreshDataImages(client, imageInputsOf(props as unknown as Raw), props.dataImages) } };
    },

    async update(id: string, olds: ImageOutputs, news: ImageInputs): Promise<pulumi.dynamic.UpdateResult<ImageOutputs>> {
      const result = await existing.update(id, olds, news);
      const declared = news.source.dataDisks?.length ?? 0;
      if (declared === 0 || !result.outs) return result;
      const { client, target } = clientOfExisting({ ...olds, region: news.region } as ImageOutputs);
      const what = `${label} "${news.name}"`;
      let records = olds.dataImages ?? [];
      // A create that timed out recorded no data images: its job names them.
      if (records.length < declared && olds.pendingJobId) {
        const job = await client.jobs.get(olds.pendingJobId).catch(() => undefined);
        records = await findDataImages(client, news, id, { ...(job ? { job } : {}), ...(news.creationMarker ? { marker: news.creationMarker } : {}) });
      }
      if (needsRestore(records)) {
        const system = await client.images.get(id);
        if (system) records = await restoreDataImages(client, news, records, system, timeoutsOf(news.timeouts, target).createMs).catch((error: unknown) => {
          throw new Error(`${what}: ${describeError(error)}`, { cause: error });
        });
      }
      return { outs: { ...result.outs, dataImages: records } };
    },

    async delete(id: string, props: ImageOutputs): Promise<void> {
      await existing.delete(id, props);
      if (!props.dataImages?.length || props.keepDataImages) return;
      const { client, target } = clientOfExisting(props);
      await deleteDataImages(client, props.dataImages, {
        what: `${label} "${props.name}" (${id})`,
        removeMembers: props.removeMembersOnDelete === true,
        timeoutMs: timeoutsOf(imageInputsOf(props as unknown as Raw).timeouts, target).deleteMs,
      });
    },
  };
}
