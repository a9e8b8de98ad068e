/**
 * Replication: copies of an image within its region and into another region, with the rules of
 * the Huawei Cloud IMS API Reference ("Replicating an Image Within a Region", "Replicating an
 * Image Across Regions", ims_03_0628) and of the IMS user guide's constraints (at most 128 GB,
 * at most five replication tasks at a time, no ISO or encrypted images across regions, full-ECS
 * images only across regions).
 */
import { img } from "./errors";
import { newUuid } from "./ids";
import { asObject, optString, reqString } from "./input";
import { startJob } from "./jobs";
import type { Image, Job, Project } from "./model";
import { visibleImage } from "./access";
import { enterpriseProjectProperty } from "./enterprise-projects";
import { checkCmk, creationJob, GiB, isWholeImage, newImage, pickSupport } from "./images";
import { checkDescription, checkName } from "./rules";
import type { Caller, World } from "./world";

/** Replication jobs, within a region and across regions together, that a project may run at once. */
export const MAX_RUNNING_COPIES = 5;
/** The largest image that can be replicated, in bytes. */
export const MAX_COPY_BYTES = 128 * GiB;

const IN_REGION_JOB = "imsCopyImageInRegionJob";
const CROSS_REGION_JOB = "imsCrossRegionCopyImageJob";

/** The source of a copy: owned, or shared with the caller and accepted; active, no ISO, at most 128 GB. */
function copySource(world: World, caller: Caller, imageId: string, crossRegion: boolean): Image {
  const image = visibleImage(world, caller, imageId);
  if (!image) throw img("0027");
  if (image.imagetype === "gold") throw img("0106", "Public images cannot be replicated.");
  if (image.owner !== caller.project.id) {
    const member = image.members.find((m) => m.memberId === caller.project.id);
    if (member?.status !== "accepted") throw img("0196");
  }
  if (!crossRegion && isWholeImage(image)) throw img("0130", "Within a region a full-ECS image cannot be replicated; across regions it can, with vault_id.");
  if (image.virtualEnvType === "IsoImage") throw img("0167");
  if (image.status !== "active") throw img("0046");
  if (image.size > MAX_COPY_BYTES) {
    // The service's catalogue has no code of its own for a replication over the size limit:
    // IMG.0059 is its code for an image over the same 128 GB limit when importing a file.
    throw img(
      "0059",
      `The image is ${Math.ceil(image.size / GiB)} GB and only images of at most 128 GB can be replicated: ` +
        "export it with is_quick_export and import the file where the copy is needed instead.",
    );
  }
  return image;
}

/** Refuses a sixth replication job while five of the caller's project are running (IMG.0060). */
function checkRunningCopies(world: World, caller: Caller): void {
  const running = world
    .unsettledJobs()
    .filter((j) => j.projectId === caller.project.id && (j.type === IN_REGION_JOB || j.type === CROSS_REGION_JOB)).length;
  if (running >= MAX_RUNNING_COPIES) {
    throw img(
      "0060",
      `${running} image replication jobs of this project are running and at most ${MAX_RUNNING_COPIES} may run at a time: ` +
        "wait until one ends (GET /v1/{project_id}/jobs/{job_id}) and send the request again.",
    );
  }
}

function copyOf(world: World, caller: Caller, source: Image, name: string, description: string, region: string, owner: string): Image {
  return newImage(world, caller, {
    name,
    description,
    region,
    owner,
    minDisk: source.minDisk,
    minRam: source.minRam,
    ...(source.maxRam !== undefined ? { maxRam: source.maxRam } : {}),
    osVersion: source.osVersion,
    virtualEnvType: source.virtualEnvType,
    diskFormat: source.diskFormat,
    size: source.size,
    checksum: source.checksum,
    ...(source.data ? { data: source.data } : {}),
    origin: { kind: "copy", sourceImageId: source.id, sourceRegion: source.region },
    properties: { ...pickSupport(source.properties), __originalimagename: source.id },
  });
}

/** `POST /v1/cloudimages/{image_id}/copy`: a private copy in the caller's project. */
export function copyImageInRegion(world: World, caller: Caller, imageId: string, body: unknown): Job {
  const fields = asObject(body);
  const source = copySource(world, caller, imageId, false);
  const name = checkName(optString(fields, "name"));
  const description = checkDescription(optString(fields, "description"));
  const cmkId = checkCmk(fields);
  const eps = enterpriseProjectProperty(world, caller, fields);
  checkRunningCopies(world, caller);
  world.checkQuota(caller.project.id);
  const copy = copyOf(world, caller, source, name, description, caller.project.region, caller.project.id);
  if (cmkId) {
    copy.cmkId = cmkId;
    copy.properties.__system__cmkid = cmkId;
  }
  Object.assign(copy.properties, eps);
  return startJob(world, caller, creationJob(IN_REGION_JOB, copy));
}

/** `POST /v1/cloudimages/{image_id}/cross_region_copy`: a copy in a project of another region. */
export function copyImageCrossRegion(world: World, caller: Caller, imageId: string, body: unknown): Job {
  const fields = asObject(body);
  const source = copySource(world, caller, imageId, true);
  const name = checkName(optString(fields, "name"));
  const description = checkDescription(optString(fields, "description"));
  const region = reqString(fields, "region", img("0001", "region is required."));
  const projectName = reqString(fields, "project_name", img("0145"));
  const agencyName = reqString(fields, "agency_name", img("0001", "agency_name is required."));
  const vaultId = optString(fields, "vault_id");
  if (!world.state.regions.some((r) => r.id === region)) throw img("0001", `The region ${region} does not exist.`);
  if (region === caller.project.region) throw img("0178", "Use the in-region copy API within one region.");
  if (source.cmkId) {
    throw img(
      "0001",
      "Encrypted images cannot be replicated across regions: copy it within the region without cmk_id, which gives an unencrypted copy, and replicate that copy.",
    );
  }
  if (isWholeImage(source) && !vaultId) {
    throw img("0130", `Across regions a full-ECS image is replicated only with vault_id: give the ID of a CBR vault in ${region} to hold its backup.`);
  }
  if (!world.agency(caller.project.domainId, agencyName)) {
    throw img(
      "0179",
      `The agency ${agencyName} does not exist: it must exist in IAM and let IMS act in ${region} (for example with the IMS Administrator role there).`,
    );
  }
  const target = world.state.projects.find(
    (p) => p.name === projectName && p.region === region && p.domainId === caller.project.domainId,
  );
  if (!target) throw img("0145");
  checkRunningCopies(world, caller);
  world.checkQuota(target.id);
  const copy = copyOf(world, caller, source, name, description, region, target.id);
  if (vaultId && isWholeImage(source)) replicateBackup(world, source, copy, target, vaultId);
  return startJob(world, caller, creationJob(CROSS_REGION_JOB, copy));
}

/**
 * A full-ECS image travels with its backup: the copy is a full-ECS image of the destination
 * project, backed by a CBR backup replicated into the vault `vaultId`.
 */
function replicateBackup(world: World, source: Image, copy: Image, target: Project, vaultId: string): void {
  const origin = source.origin;
  const sourceBackup = origin.kind === "whole-backup" ? world.state.backups.find((b) => b.id === origin.backupId) : undefined;
  const serverId = origin.kind === "whole-instance" ? origin.serverId : (sourceBackup?.serverId ?? "");
  const backupId = newUuid();
  world.state.backups.push({ id: backupId, projectId: target.id, name: `${copy.name}-backup`, kind: "CBR", serverId, vaultId, imageId: copy.id });
  copy.origin = { kind: "whole-backup", backupId, backupKind: "CBR" };
  Object.assign(copy.properties, { __whole_image: "true", __backup_id: backupId });
}
