/**
 * Replication (Huawei Cloud IMS API reference, "Replicating an Image Within a Region", ims_03_0627,
 * and "Replicating an Image Across Regions", ims_03_0628): both start a job whose `image_id` is the
 * new image's.
 */
import { op, type OperationSpec } from "../core/client";
import { JobRefSchema, type JobRef } from "../jobs/operations";

export const copyOperations = {
  copyImageInRegion: op({ name: "copyImageInRegion", method: "POST", path: "/v1/cloudimages/{image_id}/copy", expect: [200], idempotent: false, response: JobRefSchema }),
  copyImageCrossRegion: op({
    name: "copyImageCrossRegion",
    method: "POST",
    path: "/v1/cloudimages/{image_id}/cross_region_copy",
    expect: [200],
    idempotent: false,
    response: JobRefSchema,
  }),
} satisfies Record<string, OperationSpec<JobRef>>;
