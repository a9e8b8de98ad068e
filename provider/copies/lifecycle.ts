/**
 * How an ImageCopy converges: one copy request (within the region, or to another region), its job
 * waited for where it runs (the source's region and project), then the new image read, brought to
 * the declared attributes, refreshed and deleted in its own region and project through the same
 * code as PrivateImage.
 */
import { setTimeout as sleep } from "node:timers/promises";
import {
  ImsApiError,
  ImsJobFailedError,
  ImsOutcomeUnknownError,
  jobImageIds,
  type Image,
  type ImsClient,
  type Job,
  type JobRef,
} from "../client";
import {
  changedInputs,
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
  withAutoName,
  type Raw,
} from "../common";
import { converge, existingImage, outputsOf, readImage } from "../images/live";
import type { LiveImageOutputs } from "../images/schema";
import type { ImsResourceProvider } from "../types";
import { isCrossRegion, validateCopyInputs } from "./inputs";
import { COPY_CREATE_MS, copySchema, type CopyInputs, type CopyOutputs } from "./schema";

const LABEL = "ImageCopy";
/** Images over 128 GB cannot be replicated (ims_03_0627, ims_03_0628). */
const MAX_COPY_BYTES = 128 * 1024 ** 3;
/** How long to look for the copy of a request whose answer was lost. */
const LOOKUP_MS = 6_000;

const copyInputsOf = (raw: Raw): CopyInputs => inputsOf<CopyInputs>(copySchema, raw);

/** Where a copy made from these inputs lands: source client, target client, and whether it crosses regions. */
function placesOf(inputs: CopyInputs) {
  const source = clientOf({ region: inputs.region, profile: inputs.profile });
  const cross = isCrossRegion(inputs, source.target.region);
  const projectName = inputs.targetProjectName ?? inputs.targetRegion;
  const target = cross ? clientOf({ region: inputs.targetRegion, profile: inputs.profile, ...(inputs.targetProjectName ? { project: { name: inputs.targetProjectName } } : {}) }) : source;
  return { source, target, cross, projectName: projectName ?? source.target.region };
}

/** The client of an existing copy: its own region and project, whatever the settings say now. */
const clientOfCopy = (olds: CopyOutputs, news?: CopyInputs) =>
  clientOf({ region: olds.imageRegion, profile: news ? news.profile : olds.profile, ...(olds.projectId ? { project: { id: olds.projectId } } : {}) });

/** Refuses, with a sentence saying what to do, a source the service would not copy. */
function checkCopyable(image: Image | undefined, inputs: CopyInputs, cross: boolean, sourceRegion: string, projectId: string): Image {
  const what = `${LABEL} "${inputs.name}"`;
  const id = inputs.sourceImageId;
  if (!image) {
    throw new Error(
      `${what}: source image ${id} is not visible to project ${projectId} in ${sourceRegion}: give an image of this project, ` +
        "accept the share first if it is shared with the project (ImageMember with consumer), or set region and profile to the image's",
    );
  }
  if (image.__imagetype === "gold" || image.visibility === "public") throw new Error(`${what}: source image ${id} is a public image; public images cannot be copied`);
  if (image.status !== "active") throw new Error(`${what}: source image ${id} is ${image.status}; only an active image can be copied`);
  if (image.virtual_env_type === "IsoImage") throw new Error(`${what}: source image ${id} was made from an ISO file; such images cannot be copied`);
  const whole = String(image.__whole_image ?? "") === "true";
  if (whole && !cross) throw new Error(`${what}: source image ${id} is a full-ECS image, which cannot be copied within a region; copy it to another region (with vaultId)`);
  if (whole && cross && !inputs.vaultId) throw new Error(`${what}: source image ${id} is a full-ECS image: a copy to another region needs vaultId, a CBR vault in ${inputs.targetRegion}`);
  if (cross && image.__system__cmkid) throw new Error(`${what}: source image ${id} is encrypted; encrypted images cannot be copied to another region (copy it within the region without cmkId first)`);
  const size = Number(image.__image_size ?? image.size ?? 0);
  if (size > MAX_COPY_BYTES) throw new Error(`${what}: source image ${id} has ${Math.ceil(size / 1024 ** 3)} GB; images over 128 GB cannot be copied`);
  return image;
}

/** What to do about the service's refusals of a copy, by code. */
const COPY_HINTS: Record<string, string> = {
  "IMG.0179": "the agency (agencyName) does not exist in IAM or does not let IMS act in the target region: create it, or name one that does",
  "IMG.0145": "targetProjectName is not a project of the target region",
  "IMG.0196": "the source is shared with this project but not accepted: accept it first (ImageMember with consumer)",
  "IMG.0197": "a shared image encrypted with KMS cannot be copied",
  "IMG.0130": "full-ECS images cannot be copied within a region",
  "IMG.0167": "images made from ISO files cannot be copied",
  "IMG.0015": "the target project's private image quota is used up",
  "IMG.0189": "the target vault (vaultId) cannot hold the copied image",
};

const explain = (error: unknown): string => explainCode(error, COPY_HINTS);

/** The copy a request whose answer was lost may have made: same name, made from the source since `since`. */
async function findCopy(client: ImsClient, projectId: string, inputs: CopyInputs, since: number): Promise<Image | undefined> {
  const candidates = await client.images.list({ name: inputs.name, owner: projectId });
  return candidates.find(
    (image) =>
      Date.parse(image.created_at ?? "") >= since - 10_000 && (!image.__originalimagename || image.__originalimagename === inputs.sourceImageId),
  );
}

async function lookForCopy(client: ImsClient, projectId: string, inputs: CopyInputs, since: number): Promise<Image | undefined> {
  const deadline = Date.now() + LOOKUP_MS;
  for (let n = 0; ; n++) {
    const found = await findCopy(client, projectId, inputs, since).catch(() => undefined);
    if (found || Date.now() >= deadline) return found;
    await sleep(Math.min(250 * 1.5 ** n, 2000, Math.max(0, deadline - Date.now())));
  }
}

/**
 * What an earlier, interrupted run made for this resource: a copy of the source with the declared
 * name in the destination project (a copy request takes no tags, so the name and the source
 * recognise it), taken over instead of copying again; copies it left `killed` are deleted.
 */
async function earlierCopy(client: ImsClient, projectId: string, inputs: CopyInputs): Promise<Image | undefined> {
  const copies = (await client.images.list({ name: inputs.name, owner: projectId })).filter((image) => image.__originalimagename === inputs.sourceImageId);
  for (const failed of copies.filter((image) => image.status === "killed")) await client.images.delete(failed.id);
  return copies.find((image) => image.status !== "killed");
}

/**
 * Sends the copy request. Too many replications at once (IMG.0060, at most five per project) waits
 * and sends it again within the create budget; a lost answer is looked up before anything is sent again.
 */
async function submit(
  source: ImsClient,
  inputs: CopyInputs,
  plan: { cross: boolean; projectName: string; ownSource: boolean },
  deadline: number,
  lookup: () => Promise<Image | undefined>,
): Promise<{ job?: JobRef; imageId?: string }> {
  for (let attempt = 0; ; attempt++) {
    try {
      const job = plan.cross
        ? await source.copies.crossRegion(inputs.sourceImageId, {
            name: inputs.name,
            ...(inputs.description !== undefined ? { description: inputs.description } : {}),
            region: inputs.targetRegion!,
            projectName: plan.projectName,
            agencyName: inputs.agencyName!,
            ...(inputs.vaultId ? { vaultId: inputs.vaultId } : {}),
          })
        : await source.copies.inRegion(inputs.sourceImageId, {
            name: inputs.name,
            ...(inputs.description !== undefined ? { description: inputs.description } : {}),
            ...(inputs.cmkId ? { cmkId: inputs.cmkId } : {}),
            // The copy request takes an enterprise project for copies of own images only; any other copy is moved after.
            ...(inputs.enterpriseProjectId && plan.ownSource ? { enterpriseProjectId: inputs.enterpriseProjectId } : {}),
          });
      return { job };
    } catch (error) {
      if (error instanceof ImsOutcomeUnknownError) {
        const found = await lookup();
        if (found) return { imageId: found.id };
        if (attempt >= 4) throw error;
        continue;
      }
      const busy = error instanceof ImsApiError && error.code === "IMG.0060";
      const wait = Math.min(30_000, 2000 * 2 ** attempt);
      if (!busy || Date.now() + wait > deadline) throw new Error(`${LABEL} "${inputs.name}": ${explain(error)}`, { cause: error });
      await sleep(wait);
    }
  }
}

const existing = existingImage<CopyInputs, CopyOutputs>({
  label: LABEL,
  inputsOf: copyInputsOf,
  clientOf: clientOfCopy,
  // The copy's job runs in the source's region and project.
  jobClientOf: (olds, news) => clientOf({ region: olds.sourceRegion, profile: news ? news.profile : olds.profile }).client,
  timeouts: { createMs: COPY_CREATE_MS },
  carried: (olds) => ({ sourceRegion: olds.sourceRegion }),
});

export const imageCopyProvider = {
  async check(olds, given) {
    const news = withAutoName(olds as unknown as Raw, given as unknown as Raw);
    const failures = validateCopyInputs(news);
    return failures.length ? { failures } : { inputs: news as unknown as CopyInputs };
  },

  async diff(id, olds, news) {
    let sourceRegion: string | undefined;
    try {
      sourceRegion = isUnknown(news.region) || isUnknown(news.profile) ? undefined : clientOf({ region: news.region, profile: news.profile }).target.region;
    } catch {
      sourceRegion = news.region;
    }
    const { replaces, updates } = changedInputs<CopyInputs>(copySchema, olds as unknown as Raw, news as unknown as Raw, {
      compare: {
        region: (old) => movesRegion(olds.sourceRegion, old, news),
        // Where the copy would be: the declared target, else the source's region.
        targetRegion: (old, value) => (sourceRegion !== undefined && olds.imageRegion ? ((value as string | undefined) ?? sourceRegion) !== olds.imageRegion : !same(old, value)),
        adoptImageId: (old, value) => !(value === undefined && old === id) && !same(old, value),
        tags: (old, value) => !same(old ?? {}, value ?? {}),
      },
    });
    if ((olds.failure || olds.status === "killed") && !replaces.includes("sourceImageId")) replaces.unshift("sourceImageId");
    if (olds.pendingJobId) updates.push("pendingJobId");
    return { changes: replaces.length > 0 || updates.length > 0, replaces, deleteBeforeReplace: false };
  },

  async create(raw) {
    const inputs = copyInputsOf(raw as unknown as Raw);
    const plan = placesOf(inputs);
    const { client: source, target: sourceTarget } = plan.source;
    const { client: dest, target: destTarget } = plan.target;
    const timeouts = timeoutsOf(inputs.timeouts, sourceTarget, { createMs: COPY_CREATE_MS });
    const what = `${LABEL} "${inputs.name}"`;
    const started = Date.now();
    const where = async (): Promise<{ region: string; projectId: string }> => ({ region: destTarget.region, projectId: await dest.projectId() });
    const finish = async (imageId: string, extra: Partial<LiveImageOutputs>) => {
      const created = await readImage(dest, imageId, new Date().toISOString());
      if (!created) throw new Error(`image ${imageId} was copied but cannot be read back in ${destTarget.region}`);
      const changed = await converge(dest, imageId, inputs, created);
      const live = (changed ? await dest.images.get(imageId) : undefined) ?? created;
      return { id: imageId, outs: outputsOf({ ...inputs, sourceRegion: sourceTarget.region }, live, await where(), extra) as CopyOutputs };
    };

    if (inputs.adoptImageId) {
      const image = await dest.images.get(inputs.adoptImageId);
      const projectId = await dest.projectId();
      if (!image || image.owner !== projectId) {
        throw new Error(`${what}: adoptImageId ${inputs.adoptImageId}: no image of project ${projectId} in ${destTarget.region} has this id; only an own image can be adopted`);
      }
      if (image.__originalimagename && image.__originalimagename !== inputs.sourceImageId) {
        throw new Error(`${what}: adoptImageId ${inputs.adoptImageId} was copied from ${image.__originalimagename}, not from sourceImageId ${inputs.sourceImageId}`);
      }
      return finish(image.id, {});
    }

    const projectId = await source.projectId();
    const sourceImage = checkCopyable(await source.images.get(inputs.sourceImageId), inputs, plan.cross, sourceTarget.region, projectId);
    const destProject = await dest.projectId();
    const earlier = await earlierCopy(dest, destProject, inputs);
    const submitted = earlier ? { imageId: earlier.id } : await submit(source, inputs, { ...plan, ownSource: sourceImage.owner === undefined || sourceImage.owner === projectId }, started + timeouts.createMs, () => lookForCopy(dest, destProject, inputs, started));

    let imageId = submitted.imageId;
    const jobId = submitted.job?.job_id;
    const partial = async (message: string, extra: Partial<LiveImageOutputs>): Promise<never> => {
      const id = imageId ?? (await findCopy(dest, destProject, inputs, started).catch(() => undefined))?.id;
      if (!id) throw new Error(message);
      const live = await dest.images.get(id).catch(() => undefined);
      const all = { ...(jobId ? { jobId } : {}), ...extra };
      const properties: object = live
        ? outputsOf({ ...inputs, sourceRegion: sourceTarget.region }, live, await where(), all)
        : clean({ ...inputs, sourceRegion: sourceTarget.region, imageRegion: destTarget.region, projectId: destProject, ...all });
      throw new ResourceInitError(message, id, { ...properties, __provider: (raw as unknown as Raw).__provider }, [message]);
    };
    if (jobId) {
      let job: Job;
      try {
        // The job runs where the request was sent: the source's region and project.
        job = await source.jobs.wait(jobId, { timeoutMs: Math.max(1000, started + timeouts.createMs - Date.now()), onProgress: progressReporter(what) });
      } catch (error) {
        if (error instanceof ImsJobFailedError) {
          imageId = imageId ?? jobImageIds({ status: "FAIL", job_id: jobId, job_type: error.jobType, entities: error.entities })[0];
          return partial(`${what}: ${explain(error)}. The next pulumi up replaces the copy.`, { failure: { code: error.errorCode ?? "", reason: error.failReason ?? "" } });
        }
        return partial(`${what}: ${describeError(error)}`, { pendingJobId: jobId });
      }
      imageId = imageId ?? jobImageIds(job)[0];
      if (!imageId) throw new Error(`${what}: IMS job ${jobId} succeeded without naming the copied image`);
    } else if (imageId) {
      try {
        await dest.images.waitUntilActive(imageId, { timeoutMs: Math.max(1000, started + timeouts.createMs - Date.now()) });
      } catch (error) {
        return partial(`${what}: ${describeError(error)}`, {});
      }
    }
    try {
      return await finish(imageId!, jobId ? { jobId } : {});
    } catch (error) {
      // The copy exists: record it, and the next up brings its attributes to the declared ones.
      return partial(`${what}: ${describeError(error)}`, {});
    }
  },

  read: existing.read,
  update: existing.update,
  delete: existing.delete,
} satisfies ImsResourceProvider<CopyInputs, CopyOutputs>;
