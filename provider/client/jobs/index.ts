/** Asynchronous jobs: reading them, and waiting for them with the adaptive waiter. */
import type { ApiClient } from "../core/client";
import { waitForJob, type WaitOptions } from "../core/waiter";
import { jobOperations as ops, type Job } from "./operations";

export { jobOperations, JobRefSchema, JobSchema, type Job, type JobRef } from "./operations";

/** Where a finished job names its images: `image_id`, else the sub-jobs' (ims_03_0905). */
export function jobImageIds(job: Job): string[] {
  const entities = (job.entities ?? {}) as { image_id?: unknown; sub_jobs_result?: { entities?: { image_id?: unknown } }[]; __data_images?: unknown };
  const ids: string[] = [];
  if (typeof entities.image_id === "string" && entities.image_id) ids.push(entities.image_id);
  for (const sub of entities.sub_jobs_result ?? []) {
    const id = sub.entities?.image_id;
    if (typeof id === "string" && id && !ids.includes(id)) ids.push(id);
  }
  return ids;
}

export class JobsApi {
  constructor(private readonly api: ApiClient) {}

  async get(jobId: string): Promise<Job> {
    return (await this.api.call(ops.getJob, { params: { job_id: jobId } })).body;
  }

  async progress(jobId: string): Promise<Job> {
    return (await this.api.call(ops.getJobProgress, { params: { job_id: jobId } })).body;
  }

  /** Waits for the job; FAIL → ImsJobFailedError, deadline → ImsTimeoutError (with the job id). */
  wait(jobId: string, options: WaitOptions): Promise<Job> {
    return waitForJob((id, withProgress) => (withProgress ? this.progress(id) : this.get(id)), jobId, options);
  }
}
