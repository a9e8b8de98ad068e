/**
 * Validation of ImageMember inputs (Huawei Cloud IMS API reference, "Adding Image Members",
 * "Updating an Image Member Status"; OTC API reference, "Restrictions on Image Sharing"): every
 * failing field at once, before any API call.
 */
import { resolveTarget } from "../config";
import { unknownKeys } from "../common/schema";
import { checkEnum, checkId, checkSettings, checkText, checkTimeouts, Failures, type CheckFailure } from "../common/validate";
import { isUnknown, known } from "../common/values";
import { memberSchema } from "./schema";

const CONSUMER_KEYS = ["profile", "status", "vaultId"];

export function validateMemberInputs(raw: Record<string, unknown>): CheckFailure[] {
  const f = new Failures();
  f.list.push(...unknownKeys(memberSchema, raw));
  checkId(f, "imageId", raw.imageId, "uuid", "the id of the image to share (a UUID)", true);
  checkId(f, "projectId", raw.projectId, "project", "the id of the member project (32 hexadecimal characters)", true);
  checkText(f, "region", raw.region);
  checkText(f, "profile", raw.profile);
  checkTimeouts(f, raw.timeouts);
  const consumer = raw.consumer;
  if (known(consumer) || (consumer !== undefined && typeof consumer === "object")) {
    if (typeof consumer !== "object" || consumer === null || Array.isArray(consumer)) {
      f.add("consumer", "consumer must be an object: { profile, status, vaultId }");
    } else {
      const c = consumer as Record<string, unknown>;
      for (const key of Object.keys(c)) if (!CONSUMER_KEYS.includes(key)) f.add(`consumer.${key}`, `consumer takes ${CONSUMER_KEYS.join(", ")}`);
      checkText(f, "consumer.profile", c.profile, true);
      checkEnum(f, "consumer.status", c.status, ["accepted", "rejected"]);
      checkText(f, "consumer.vaultId", c.vaultId);
    }
  }
  return f.list;
}

/**
 * What the configuration alone tells of the two projects: the owner's project is not the member
 * project, and the consumer profile (when it names its project for this region) is the member
 * project. Settings problems throw ConfigError. Projects known only by name are checked at create.
 */
export function checkMemberProjects(raw: Record<string, unknown>): CheckFailure[] {
  const f = new Failures();
  checkSettings(raw.region, raw.profile);
  const projectId = raw.projectId;
  if (isUnknown(raw.region) || isUnknown(raw.profile) || typeof projectId !== "string" || isUnknown(projectId)) return f.list;
  const owner = resolveTarget({ ...(typeof raw.region === "string" ? { region: raw.region } : {}), ...(typeof raw.profile === "string" ? { profile: raw.profile } : {}) });
  if (owner.settings.auth.projectId === projectId) {
    f.add("projectId", `projectId ${projectId} is the image owner's own project: an image cannot be shared with the project that owns it`);
  }
  const consumer = raw.consumer as { profile?: unknown } | undefined;
  if (consumer && typeof consumer.profile === "string" && !isUnknown(consumer.profile)) {
    const side = resolveTarget({ region: owner.region, profile: consumer.profile });
    const its = side.settings.auth.projectId;
    if (its !== undefined && its !== projectId) {
      f.add(
        "consumer.profile",
        `the profile "${consumer.profile}" acts as project ${its} in ${owner.region}, not as the member project ${projectId}: ` +
          "give the profile of the member project, or share with the profile's project",
      );
    }
  }
  return f.list;
}
