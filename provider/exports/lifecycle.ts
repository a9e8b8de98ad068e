/**
 * How an ImageExport converges: one export request (IMS API Reference, "Exporting an Image",
 * `POST /v1/cloudimages/{image_id}/file`), its `imsNativeExportImageJob` waited for, and the written
 * file recorded. The file lives in OBS, which pulumi-ims does not call: refresh reads what IMS knows
 * (a job left running, the image), and delete removes nothing, saying so.
 *
 * An export cannot be tagged and IMS lists no jobs, so an export is recognised later only through
 * the service's own refusals of duplicates: a second export of an image while one runs (IMG.0148) and
 * an export to a file that exists (IMG.0070). A lost answer is therefore sent again (it can never
 * start a second export), a running export is waited for, and a file that appears while an export of
 * the image ran is taken as this export's, with a warning.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { ImsApiError, ImsJobFailedError, ImsOutcomeUnknownError, type Image, type ImsClient, type Job } from "../client";
import type { ExportRequest } from "../client/images";
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
  timeoutsOf,
  warn,
  type Raw,
} from "../common";
import type { ImsReadResult, ImsResourceProvider } from "../types";
import { splitBucketUrl, validateExportInputs } from "./inputs";
import { EXPORT_CREATE_MS, exportSchema, type ExportInputs, type ExportOutputs } from "./schema";

const exportInputsOf = (raw: Raw): ExportInputs => inputsOf<ExportInputs>(exportSchema, raw);

const label = (inputs: { imageId: string; bucketUrl: string }) => `ImageExport (image ${inputs.imageId} to ${inputs.bucketUrl})`;

/** The format of the file an export of these inputs writes. */
export const writtenFormat = (inputs: ExportInputs): string => (inputs.quickExport === true ? "zvhd2" : (inputs.fileFormat ?? ""));

/** The request that exports as declared: a format, or a quick export (which takes none). */
export function exportRequest(inputs: ExportInputs): ExportRequest {
  return inputs.quickExport === true ? { bucketUrl: inputs.bucketUrl, isQuickExport: true } : { bucketUrl: inputs.bucketUrl, fileFormat: inputs.fileFormat! };
}

/** A file name like `objectKey` that changes with the image: its id before the extension. */
export function suggestedFile(bucketUrl: string, imageId: string): string {
  const { bucket, objectKey } = splitBucketUrl(bucketUrl);
  const slash = objectKey.lastIndexOf("/");
  const dot = objectKey.lastIndexOf(".");
  const cut = dot > slash + 1 ? dot : objectKey.length;
  return `${bucket}:${objectKey.slice(0, cut)}-${imageId}${objectKey.slice(cut)}`;
}

/** What the service's refusal of an export means, by code, and what to do about it. */
function exportHints(inputs: ExportInputs, region: string, image: Image | undefined): Record<string, string> {
  const { bucket, objectKey } = splitBucketUrl(inputs.bucketUrl);
  const urlShape = "bucketUrl must be bucket:object, with a bucket of the image's region and a file name of letters, digits, '-', '.' and '_' (folders separated by '/'), no spaces, at most 128 characters";
  const owner = "only the image's owner can export it: export with the owner's credentials (profile), or copy the image first (ImageCopy) and export the copy";
  return {
    "IMG.0027": `image ${inputs.imageId} does not exist in ${region}, or is not visible to the project: give the id of an image of this project, or set region and profile to the image's`,
    "IMG.0046": "only an active image can be exported: wait until the image is active",
    "IMG.0047": owner,
    "IMG.0106": owner,
    "IMG.0077": "public images cannot be exported: export a private image",
    "IMG.0079": "the image was made from a charged image (a paid image, e.g. from KooGallery), and such images cannot be exported",
    "IMG.0080": "the image was made from a CSBS or CBR backup, and such images cannot be exported",
    "IMG.0071":
      inputs.quickExport === true && image?.__system__cmkid
        ? "an encrypted image cannot be exported quickly: remove quickExport and give fileFormat (a normal export takes images up to 128 GB)"
        : "IMS does not export this image: images made from a Windows, SUSE, Red Hat, Ubuntu or Oracle Linux public image (also through a server or a copy made from one) cannot be exported, and encrypted images cannot be exported quickly",
    "IMG.0160": "the image is over 128 GB, the most a normal export takes: set quickExport: true and remove fileFormat (a quick export takes images up to 1 TB and writes ZVHD2)",
    "IMG.0128": "full-ECS images cannot be exported: export an image of the server's system disk instead (a PrivateImage with source.instanceId, without wholeImage)",
    "IMG.0167": "images made from ISO files cannot be exported",
    "IMG.0072": "fileFormat must be qcow2, vhd, zvhd or vmdk, and is not given with quickExport",
    "IMG.0058": `bucket ${bucket} is not in ${region}, the image's region: export into a bucket of ${region}, or copy the image to the bucket's region (ImageCopy) and export the copy there`,
    "IMG.0069": `bucket ${bucket} does not exist, or IMS cannot write to it: create it in ${region} (OBS, storage class Standard), or name a bucket of ${region} that exists`,
    "IMG.0068": urlShape,
    "IMG.0073": urlShape,
    "IMG.0074": urlShape,
    "IMG.0075": urlShape,
    "IMG.0109": urlShape,
    "IMG.0175": urlShape,
    "IMG.0017": urlShape,
    "IMG.0070":
      `${inputs.bucketUrl} exists already, and IMS never writes over a file. An export leaves its file in place, so exporting again to the same ` +
      "bucketUrl is refused: after a replacement (imageId, fileFormat or quickExport changed), or after an interrupted pulumi up whose export ended. " +
      `Use a file name that changes with what is exported, e.g. with the image id or a date (${suggestedFile(inputs.bucketUrl, inputs.imageId)}), ` +
      `or delete the file first (OBS console, or obsutil rm obs://${bucket}/${objectKey})`,
    "IMG.0148": `another export of image ${inputs.imageId} is running, and IMS exports an image to one file at a time: it was waited for until timeouts.create; run pulumi up again once it has ended, or raise timeouts.create`,
    "IMG.0060": "too many IMS tasks run at once in the project: the export was sent again until timeouts.create; run pulumi up again later",
  };
}

/** The message of a refusal or a failed export job, led by what to do about its code. */
export function explainExport(error: unknown, inputs: ExportInputs, region: string, image?: Image): string {
  const hints = exportHints(inputs, region, image);
  // A failed job carries its code as `errorCode`.
  if (error instanceof ImsJobFailedError && error.errorCode && hints[error.errorCode]) return `${hints[error.errorCode]} (${error.message})`;
  return explainCode(error, hints);
}

/** When a job ended (ISO time): its `end_time`, else now. */
function endOf(job: Job): string {
  const end = Date.parse(job.end_time ?? "");
  return new Date(Number.isFinite(end) ? end : Date.now()).toISOString();
}

const codeOf = (error: unknown): string | undefined => (error instanceof ImsApiError ? error.code : undefined);

/**
 * Sends the export request. A lost answer is sent again: IMS refuses a second export of an image
 * while one runs (IMG.0148) and any export to an existing file (IMG.0070), so no second export can
 * start. An export of the image already running, or too many tasks (IMG.0060), is waited out and the
 * request sent again within the create budget; a file that exists once an export of the image ran
 * is that export's (`takenOver`).
 */
async function submit(
  client: ImsClient,
  inputs: ExportInputs,
  context: { what: string; region: string; image: Image; deadline: number },
): Promise<{ jobId: string } | { takenOver: true }> {
  let running = false;
  let lost = 0;
  for (let attempt = 0; ; attempt++) {
    try {
      return { jobId: (await client.images.export(inputs.imageId, exportRequest(inputs))).job_id };
    } catch (error) {
      if (error instanceof ImsOutcomeUnknownError && lost++ < 4) continue;
      const code = codeOf(error);
      if (code === "IMG.0070" && running) return { takenOver: true };
      if (code === "IMG.0148" && !running) {
        running = true;
        console.log(`${context.what}: another export of image ${inputs.imageId} is running (IMG.0148); waiting for it to end`);
      }
      const wait = Math.min(30_000, 1000 * 2 ** attempt);
      if ((code !== "IMG.0148" && code !== "IMG.0060") || Date.now() + wait > context.deadline) {
        const lostNote =
          code === "IMG.0070" && lost > 0
            ? " The first export request's answer was lost, so the file may be what that request wrote, or one that was there before: pulumi-ims does not read OBS and cannot tell."
            : "";
        throw new Error(`${context.what}: ${explainExport(error, inputs, context.region, context.image)}.${lostNote}`, { cause: error });
      }
      await sleep(wait);
    }
  }
}

/** The outputs of an export, but those that are inputs. */
const carriedOutputs = (olds: ExportOutputs): Partial<ExportOutputs> =>
  Object.fromEntries(Object.entries(olds).filter(([key]) => !(key in exportSchema.inputs) && key !== "__provider")) as Partial<ExportOutputs>;

/** The state of an export once its job ended: SUCCESS, or FAIL (as the job reads, or as the waiter reports it). */
function settled(outs: ExportOutputs, job: Job | ImsJobFailedError): ExportOutputs {
  const { pendingJobId: _pending, failure: _failure, ...rest } = outs;
  if (job instanceof ImsJobFailedError) return { ...rest, status: "failed", failure: { code: job.errorCode ?? "", reason: job.failReason ?? job.message } };
  if (job.status === "FAIL") return { ...rest, status: "failed", failure: { code: job.error_code ?? "", reason: job.fail_reason ?? "" } };
  return { ...rest, status: "exported", exportedAt: endOf(job) };
}

export const imageExportProvider = {
  async check(_olds, news) {
    const failures = validateExportInputs(news as unknown as Raw);
    return failures.length ? { failures } : { inputs: news };
  },

  async diff(_id, olds, news) {
    const { replaces, updates } = changedInputs<ExportInputs>(exportSchema, olds as unknown as Raw, news as unknown as Raw, {
      compare: {
        region: (old) => movesRegion(olds.imageRegion, old, news),
        // Absent and false are both a normal export.
        quickExport: (old, value) => (old === true) !== (value === true),
      },
    });
    const failed = olds.status === "failed" || olds.failure !== undefined;
    // A failed export wrote nothing: the next up exports again.
    if (failed && !replaces.includes("bucketUrl")) replaces.push("bucketUrl");
    if (olds.pendingJobId && !failed) updates.push("pendingJobId");
    // A re-export in the same region to the same file is refused (in another region, its bucket is the old region's).
    if (replaces.length > 0 && !replaces.includes("region") && !failed && !isUnknown(news.bucketUrl) && news.bucketUrl === olds.bucketUrl) {
      warn(
        `${label(olds)}: ${replaces.join(", ")} changed, so the image is exported again, to the same bucketUrl; the current export's file stays, and IMS refuses to write ` +
          `over it (IMG.0070): give a file name that changes with what is exported, e.g. ${suggestedFile(olds.bucketUrl, isUnknown(news.imageId) ? "<image id>" : String(news.imageId))}`,
      );
    }
    return { changes: replaces.length > 0 || updates.length > 0, replaces, deleteBeforeReplace: false };
  },

  async create(raw) {
    const inputs = exportInputsOf(raw as unknown as Raw);
    const { client, target } = clientOf({ region: inputs.region, profile: inputs.profile });
    const timeouts = timeoutsOf(inputs.timeouts, target, { createMs: EXPORT_CREATE_MS });
    const what = label(inputs);
    const deadline = Date.now() + timeouts.createMs;
    const projectId = await client.projectId();
    const image = await client.images.get(inputs.imageId);
    if (!image) {
      throw new Error(
        `${what}: image ${inputs.imageId} does not exist in project ${projectId} (${target.region}), or is not visible to it: ` +
          "give the id of an image of this project, or set region and profile to the image's",
      );
    }
    const size = Number(image.__image_size ?? image.size ?? 0);
    const base: ExportOutputs = {
      ...inputs,
      imageRegion: target.region,
      projectId,
      ...splitBucketUrl(inputs.bucketUrl),
      exportedFormat: writtenFormat(inputs),
      status: "exporting",
      imageName: image.name,
      imageSizeBytes: Number.isFinite(size) ? size : 0,
      imageDiskFormat: image.disk_format ?? "",
      imageStatus: image.status,
    };
    const id = inputs.bucketUrl;

    const submitted = await submit(client, inputs, { what, region: target.region, image, deadline });
    if (!("jobId" in submitted)) {
      warn(
        `${what}: an export of the image was running when this one was sent (IMG.0148), and ${inputs.bucketUrl} exists since it ended: ` +
          "it is taken as this export's file (the export of an interrupted earlier pulumi up, or of this run's request whose answer was lost). " +
          "pulumi-ims does not read OBS and cannot check the file: if it is not this export's, delete it and run pulumi up --replace on this resource",
      );
      return { id, outs: clean({ ...base, status: "exported", exportedAt: new Date().toISOString() }) };
    }

    const jobId = submitted.jobId;
    try {
      const job = await client.jobs.wait(jobId, { timeoutMs: Math.max(1000, deadline - Date.now()), onProgress: progressReporter(what) });
      return { id, outs: clean(settled({ ...base, jobId }, job)) };
    } catch (error) {
      if (error instanceof ImsJobFailedError) {
        throw new Error(`${what}: ${explainExport(error, inputs, target.region, image)}. The next pulumi up exports again.`, { cause: error });
      }
      // The job may still end well: record the export, and the next up waits for the same job.
      const message = `${what}: ${describeError(error)}`;
      const properties = clean({ ...base, jobId, pendingJobId: jobId });
      throw new ResourceInitError(message, id, { ...properties, __provider: (raw as unknown as Raw).__provider }, [message]);
    }
  },

  async read(id, props) {
    if (!props) return { id: "" };
    const inputs = exportInputsOf(props as unknown as Raw);
    const { client } = clientOf({ region: props.imageRegion || inputs.region, profile: inputs.profile });
    let outs: ExportOutputs = { ...props };
    if (props.pendingJobId) {
      try {
        const job = await client.jobs.get(props.pendingJobId);
        if (job.status === "SUCCESS" || job.status === "FAIL") outs = settled(outs, job);
      } catch (error) {
        // A job IMS no longer knows stays pending: nothing else tells how it ended.
        if (!(error instanceof ImsApiError && (error.status === 404 || error.code === "IMG.0023"))) throw error;
      }
    }
    // The exported file does not depend on the image: an image deleted since is only shown as such.
    const image = await client.images.get(inputs.imageId);
    outs = { ...outs, imageStatus: image?.status ?? "deleted" };
    return { id, props: clean(outs), inputs: clean(inputs) } satisfies ImsReadResult<ExportInputs, ExportOutputs>;
  },

  async update(id, olds, news) {
    const inputs = exportInputsOf(news as unknown as Raw);
    const outs = clean({ ...carriedOutputs(olds), ...inputs }) as ExportOutputs;
    if (!olds.pendingJobId) return { outs };
    const { client, target } = clientOf({ region: olds.imageRegion, profile: inputs.profile });
    const timeouts = timeoutsOf(inputs.timeouts, target, { createMs: EXPORT_CREATE_MS });
    const what = label(inputs);
    try {
      const job = await client.jobs.wait(olds.pendingJobId, { timeoutMs: timeouts.createMs, onProgress: progressReporter(what) });
      return { outs: clean(settled(outs, job)) };
    } catch (error) {
      const failed = error instanceof ImsJobFailedError;
      const message = failed ? `${what}: ${explainExport(error, inputs, target.region)}. The next pulumi up exports again.` : `${what}: ${describeError(error)}`;
      const properties = clean(failed ? settled(outs, error) : outs);
      throw new ResourceInitError(message, id, { ...properties, __provider: (news as unknown as Raw).__provider }, [message]);
    }
  },

  async delete(_id, props) {
    // A failed export wrote no file.
    if (props.status === "failed") return;
    const { bucket, objectKey } = splitBucketUrl(props.bucketUrl);
    const running = props.pendingJobId ? ` (its export job ${props.pendingJobId} was still running at the last check, and writes it when it ends)` : "";
    warn(
      `${label(props)}: the file ${props.bucketUrl} stays in OBS${running}: deleting an ImageExport removes no file. ` +
        `Remove it when it is no longer needed, in the OBS console or with obsutil rm obs://${bucket}/${objectKey}`,
    );
  },
} satisfies ImsResourceProvider<ExportInputs, ExportOutputs>;
