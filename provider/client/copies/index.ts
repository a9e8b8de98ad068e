/** Image replication within a region and across regions (reference §3.12, §3.13). */
import type { ApiClient, OperationSpec } from "../core/client";
import { compact } from "../images/requests";
import { JobRefSchema, type JobRef } from "../images/schemas";

export const copyOperations = {
  copyImageInRegion: { name: "copyImageInRegion", method: "POST", path: "/v1/cloudimages/{image_id}/copy", expect: [200], idempotent: false, response: JobRefSchema },
  copyImageCrossRegion: {
    name: "copyImageCrossRegion",
    method: "POST",
    path: "/v1/cloudimages/{image_id}/cross_region_copy",
    expect: [200],
    idempotent: false,
    response: JobRefSchema,
  },
} satisfies Record<string, OperationSpec<JobRef>>;

export interface InRegionCopyRequest {
  name: string;
  description?: string;
  cmkId?: string;
  enterpriseProjectId?: string;
}

export interface CrossRegionCopyRequest {
  name: string;
  description?: string;
  /** Destination region id. */
  region: string;
  /** Destination project name (the region's default project is named like the region). */
  projectName: string;
  /** IAM agency that lets IMS act in the destination. */
  agencyName: string;
  vaultId?: string;
}


export class CopiesApi {
  constructor(private readonly api: ApiClient) {}

  /** A private copy in the caller's project; the job's `image_id` is the copy's. */
  async inRegion(imageId: string, r: InRegionCopyRequest): Promise<JobRef> {
    const body = compact({ name: r.name, description: r.description, cmk_id: r.cmkId, enterprise_project_id: r.enterpriseProjectId });
    return (await this.api.call(copyOperations.copyImageInRegion, { params: { image_id: imageId }, body })).body;
  }

  /** A copy in another region; the job runs here and its `image_id` is the new image's there. */
  async crossRegion(imageId: string, r: CrossRegionCopyRequest): Promise<JobRef> {
    const body = compact({
      name: r.name,
      description: r.description,
      region: r.region,
      project_name: r.projectName,
      agency_name: r.agencyName,
      vault_id: r.vaultId,
    });
    return (await this.api.call(copyOperations.copyImageCrossRegion, { params: { image_id: imageId }, body })).body;
  }
}
