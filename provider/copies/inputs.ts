/**
 * Validation of ImageCopy inputs (Huawei Cloud IMS API reference, "Replicating an Image Within a
 * Region", ims_03_0627, and "Replicating an Image Across Regions", ims_03_0628): every failing
 * field at once, before any API call. What depends on the source image is checked at create.
 */
import { resolveTarget } from "../config";
import { unknownKeys } from "../common/schema";
import {
  checkBoolean,
  checkDescription,
  checkEnterpriseProject,
  checkId,
  checkImageName,
  checkMarker,
  checkRam,
  checkSettings,
  checkTags,
  checkText,
  checkTimeouts,
  Failures,
  type CheckFailure,
} from "../common/validate";
import { isUnknown, known } from "../common/values";
import { copySchema } from "./schema";

const REGION = /^[a-z0-9]+(-[a-z0-9]+)*$/;

/** True when the inputs ask for a copy in another region than the source's (`sourceRegion`). */
export const isCrossRegion = (raw: { targetRegion?: unknown }, sourceRegion: string | undefined): boolean =>
  typeof raw.targetRegion === "string" && raw.targetRegion !== sourceRegion;

export function validateCopyInputs(raw: Record<string, unknown>): CheckFailure[] {
  const f = new Failures();
  f.list.push(...unknownKeys(copySchema, raw));
  checkId(f, "sourceImageId", raw.sourceImageId, "uuid", "the id of the image to copy (a UUID)", true);
  checkImageName(f, "name", raw.name);
  checkDescription(f, "description", raw.description);
  checkRam(f, raw);
  checkTags(f, "tags", raw.tags);
  for (const key of ["region", "profile", "targetRegion", "targetProjectName", "agencyName", "vaultId"]) checkText(f, key, raw[key]);
  checkEnterpriseProject(f, raw.enterpriseProjectId);
  if (known(raw.targetRegion) && typeof raw.targetRegion === "string" && !REGION.test(raw.targetRegion)) {
    f.add("targetRegion", `targetRegion ${JSON.stringify(raw.targetRegion)} is not a region name; give one like ap-southeast-3`);
  }
  checkId(f, "cmkId", raw.cmkId, "uuid", "a KMS key id (a UUID)");
  checkId(f, "adoptImageId", raw.adoptImageId, "uuid", "an image id (a UUID)");
  checkBoolean(f, "removeMembersOnDelete", raw.removeMembersOnDelete);
  checkMarker(f, raw.creationMarker);
  checkText(f, "resourceName", raw.resourceName);
  checkTimeouts(f, raw.timeouts);
  if (f.list.length > 0) return f.list;

  checkSettings(raw.region, raw.profile);
  if (isUnknown(raw.region) || isUnknown(raw.profile) || isUnknown(raw.targetRegion)) return f.list;
  const source = resolveTarget({ ...(typeof raw.region === "string" ? { region: raw.region } : {}), ...(typeof raw.profile === "string" ? { profile: raw.profile } : {}) });
  if (raw.targetRegion !== undefined && raw.targetRegion === source.region) {
    f.add("targetRegion", `targetRegion is the source image's own region (${source.region}): omit targetRegion for a copy within the region`);
    return f.list;
  }
  const cross = isCrossRegion(raw, source.region);
  if (cross) {
    if (raw.agencyName === undefined) {
      f.add("agencyName", "agencyName is required to copy to another region: the IAM agency that lets IMS act in the target region (e.g. ims_admin_agency)");
    }
    if (raw.cmkId !== undefined) f.add("cmkId", `cmkId applies only to a copy within the region; the service does not take it for a copy to ${String(raw.targetRegion)}`);
    checkSettings(raw.targetRegion, raw.profile);
  } else {
    for (const key of ["agencyName", "targetProjectName", "vaultId"]) {
      if (raw[key] !== undefined) f.add(key, `${key} applies only to a copy to another region: set targetRegion, or remove ${key}`);
    }
  }
  return f.list;
}
