/**
 * Asynchronous jobs (Huawei Cloud IMS API reference, "Querying the Status of an Asynchronous Job",
 * ims_03_0905, and its progress view, ims_03_0911): what a job-starting call answers, and how a
 * job reads.
 */
import { z } from "zod";
import { op, type OperationSpec } from "../core/client";

/** What every asynchronous call answers: the job that carries the work out. */
export const JobRefSchema = z.looseObject({ job_id: z.string().regex(/^\S+$/) });
export type JobRef = z.infer<typeof JobRefSchema>;

export const JobSchema = z.looseObject({
  status: z.enum(["INIT", "RUNNING", "SUCCESS", "FAIL"]),
  job_id: z.string(),
  job_type: z.string(),
  begin_time: z.string().nullish(),
  end_time: z.string().nullish(),
  error_code: z.string().nullish(),
  fail_reason: z.string().nullish(),
  entities: z.looseObject({ process_percent: z.number().nullish() }).nullish(),
});
export type Job = z.infer<typeof JobSchema>;

export const jobOperations = {
  getJob: op({ name: "getJob", method: "GET", path: "/v1/{project_id}/jobs/{job_id}", expect: [200], idempotent: true, response: JobSchema }),
  getJobProgress: op({ name: "getJobProgress", method: "GET", path: "/v1/cloudimages/job/{job_id}", expect: [200], idempotent: true, response: JobSchema }),
} satisfies Record<string, OperationSpec<Job>>;
