/** What the copy calls send: typed requests turned into the service's bodies (pure functions). */
import { compact } from "../core/client";

export interface InRegionCopyRequest {
  name: string;
  description?: string;
  /** KMS key of the copy: an encrypted copy. */
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
  /** CBR vault in the destination, for a full-ECS image. */
  vaultId?: string;
}

export const inRegionCopyBody = (r: InRegionCopyRequest) =>
  compact({ name: r.name, description: r.description, cmk_id: r.cmkId, enterprise_project_id: r.enterpriseProjectId });

export const crossRegionCopyBody = (r: CrossRegionCopyRequest) =>
  compact({
    name: r.name,
    description: r.description,
    region: r.region,
    project_name: r.projectName,
    agency_name: r.agencyName,
    vault_id: r.vaultId,
  });
