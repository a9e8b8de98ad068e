/** Image replication within a region and across regions. */
import type { ApiClient } from "../core/client";
import type { JobRef } from "../jobs/operations";
import { copyOperations as ops } from "./operations";
import { crossRegionCopyBody, inRegionCopyBody, type CrossRegionCopyRequest, type InRegionCopyRequest } from "./requests";

export { copyOperations } from "./operations";
export * from "./requests";

export class CopiesApi {
  constructor(private readonly api: ApiClient) {}

  /** A private copy in the caller's project; the job's `image_id` is the copy's. */
  async inRegion(imageId: string, r: InRegionCopyRequest): Promise<JobRef> {
    return (await this.api.call(ops.copyImageInRegion, { params: { image_id: imageId }, body: inRegionCopyBody(r) })).body;
  }

  /** A copy in another region; the job runs here and its `image_id` is the new image's there. */
  async crossRegion(imageId: string, r: CrossRegionCopyRequest): Promise<JobRef> {
    return (await this.api.call(ops.copyImageCrossRegion, { params: { image_id: imageId }, body: crossRegionCopyBody(r) })).body;
  }
}
