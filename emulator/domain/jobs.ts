import { inspectDisk, makeQcow2, makeVhd, makeVmdk } from "./disk-format";
import { newHex32 } from "./ids";
import type { Image, Job, JobEffect, SubJob } from "./model";
import type { Caller, World } from "./world";

/** Share of a job's duration spent in INIT before it turns RUNNING. */
const INIT_SHARE = 0.2;

export interface NewJob {
  type: string;
  effect: JobEffect;
  /** Entities shown once the job succeeds (creation jobs: image_id and image_name). */
  entities: Record<string, unknown>;
  subJobs?: SubJob[];
  /** The images this job creates; they follow queued → saving → active (or killed). */
  creates?: Image[];
}

/**
 * Starts an asynchronous job in the caller's project. Its timeline is fixed now, on the job
 * clock: INIT, RUNNING, then SUCCESS or FAIL (a job-failure rule can force FAIL).
 */
export function startJob(world: World, caller: Caller, spec: NewJob): Job {
  const now = world.clock.now();
  const base = world.timing.perType[spec.type] ?? world.timing.defaultMs;
  const jitter = world.timing.jitter;
  const duration = Math.max(0, Math.round(base * (1 + jitter * (2 * Math.random() - 1))));
  const failure = takeFailure(world, spec.type);
  const job: Job = {
    id: newHex32(),
    projectId: caller.project.id,
    region: caller.project.region,
    type: spec.type,
    status: "INIT",
    beginTime: now,
    errorCode: null,
    failReason: null,
    entities: spec.entities,
    subJobs: spec.subJobs,
    plan: {
      runAt: now + Math.round(duration * INIT_SHARE),
      endAt: now + duration,
      outcome: failure ? "FAIL" : "SUCCESS",
      errorCode: failure?.errorCode,
      failReason: failure?.failReason,
    },
    effect: spec.effect,
    settled: false,
  };
  for (const image of spec.creates ?? []) {
    image.creatingJobId = job.id;
    world.addImage(image);
  }
  world.addJob(job);
  return job;
}

function takeFailure(world: World, type: string) {
  const rule = world.jobFailures.find((r) => (r.jobType === type || r.jobType === "*") && r.remaining > 0);
  if (!rule) return undefined;
  rule.remaining -= 1;
  world.jobFailures = world.jobFailures.filter((r) => r.remaining > 0);
  return rule;
}

/** Brings every job up to the job clock's present; applies the effects of finished jobs once. */
export function advanceJobs(world: World): void {
  const now = world.clock.now();
  for (const job of world.unsettledJobs()) {
    if (job.status === "INIT" && now >= job.plan.runAt) {
      job.status = "RUNNING";
      const saving = imagesOf(world, job).filter((image) => image.status === "queued");
      for (const image of saving) image.status = "saving";
      world.imageChanged(...saving);
      world.jobChanged(job);
    }
    if (now >= job.plan.endAt) {
      settle(world, job);
      world.jobChanged(job);
    }
  }
}

/** The images a job is creating: those of its effect that still name it as their creating job. */
function imagesOf(world: World, job: Job): Image[] {
  const ids = job.effect.kind === "activate" ? job.effect.imageIds : [];
  return ids.map((id) => world.image(id)).filter((image): image is Image => image?.creatingJobId === job.id);
}

function settle(world: World, job: Job): void {
  job.settled = true;
  job.endTime = job.plan.endAt;
  if (job.plan.outcome === "FAIL") {
    job.status = "FAIL";
    job.errorCode = job.plan.errorCode ?? "IMG.0061";
    job.failReason = job.plan.failReason ?? "An unknown system error occurred.";
    for (const image of imagesOf(world, job)) {
      image.status = "killed";
      image.creatingJobId = undefined;
      image.updatedAt = world.now();
      world.imageChanged(image);
    }
    return;
  }
  job.status = "SUCCESS";
  applyEffect(world, job);
}

function applyEffect(world: World, job: Job): void {
  const effect = job.effect;
  const now = world.now();
  switch (effect.kind) {
    case "activate":
      for (const image of imagesOf(world, job)) {
        image.status = "active";
        image.activeAt = now;
        image.updatedAt = now;
        image.creatingJobId = undefined;
        world.imageChanged(image);
      }
      return;
    case "export": {
      world.putObject(job.region, effect.bucket, effect.key, exportedFile(world.image(effect.imageId), effect.format));
      return;
    }
    case "add-members":
      for (const image of effect.imageIds.map((id) => world.image(id))) {
        if (!image) continue;
        for (const memberId of effect.members) {
          if (image.members.some((m) => m.memberId === memberId)) continue;
          image.members.push({ memberId, memberType: effect.memberType, status: "pending", createdAt: now, updatedAt: now });
        }
        world.imageChanged(image);
      }
      return;
    case "remove-members":
      for (const image of effect.imageIds.map((id) => world.image(id))) {
        if (!image) continue;
        image.members = image.members.filter((m) => !effect.members.includes(m.memberId));
        world.imageChanged(image);
      }
      return;
    case "update-members":
      for (const image of effect.imageIds.map((id) => world.image(id))) {
        const member = image?.members.find((m) => m.memberId === effect.projectId);
        if (!member) continue;
        member.status = effect.status;
        member.updatedAt = now;
        if (effect.vaultId) member.vaultId = effect.vaultId;
        world.imageChanged(image!);
      }
      return;
    case "none":
      return;
  }
}

/**
 * The file an export writes: the image's own bytes when they have the asked format, else a small
 * file of that format declaring the image's disk (images made from servers or volumes keep no
 * bytes; allocating their full size would exhaust memory). ZVHD, and the ZVHD2 of a quick export
 * (`format` undefined), are Huawei Cloud's own formats: the emulator writes them VHD-structured.
 */
function exportedFile(image: Image | undefined, format: string | undefined): Buffer {
  const data = image?.data ? Buffer.from(image.data, "base64") : undefined;
  const disk = data ? inspectDisk(data) : undefined;
  if (data && disk?.format === format) return data;
  const gib = Math.max(1, Math.ceil((disk?.virtualSize ?? image?.size ?? 0) / 1024 ** 3));
  if (format === "qcow2") return makeQcow2(gib);
  if (format === "vmdk") return makeVmdk(gib);
  return makeVhd(gib);
}

/** The entities of a job as `GET /v1/{project_id}/jobs/{job_id}` shows them now. */
export function jobEntities(job: Job): Record<string, unknown> {
  if (job.status === "SUCCESS" || job.status === "FAIL") return { ...job.entities, ...subJobEntities(job) };
  const { image_id, image_name } = job.entities as { image_id?: string; image_name?: string };
  return image_id ? { image_id, ...(image_name !== undefined ? { image_name } : {}) } : {};
}

function subJobEntities(job: Job): Record<string, unknown> {
  if (!job.subJobs) return {};
  return {
    sub_jobs_list: job.subJobs.map((s) => s.jobId),
    sub_jobs_result: job.subJobs.map((s) => ({
      status: job.status,
      job_id: s.jobId,
      job_type: s.jobType,
      begin_time: new Date(job.beginTime).toISOString(),
      end_time: job.endTime ? new Date(job.endTime).toISOString() : "",
      error_code: job.errorCode,
      fail_reason: job.failReason,
      entities: { image_id: s.imageId, image_name: s.imageName },
    })),
  };
}
