/**
 * Inputs of PrivateImage and DataImage, and their validation with the service's own rules
 * (reference §5.3–§5.5): every failing field is reported at once, before any API call.
 */
import { parseDuration } from "../config";

/** Pulumi's placeholder for a value not known during preview. */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export const isUnknown = (value: unknown): boolean =>
  value === UNKNOWN || (typeof value === "object" && value !== null && Object.values(value).some(isUnknown));

/** Where an image comes from: exactly one of imageUrl, localFile, instanceId, volumeId, backupId. */
export interface ImageSource {
  /** OBS image file, `bucket:object`. */
  imageUrl?: string;
  /** A local image file, uploaded through the Glance-compatible API. */
  localFile?: string;
  /** ECS server: its system disk (or, with `wholeImage`, all its disks). */
  instanceId?: string;
  wholeImage?: boolean;
  /** CBR vault for the backup of a full-ECS image. */
  vaultId?: string;
  /** EVS volume. */
  volumeId?: string;
  /** CBR (or CSBS) backup: a full-ECS image. */
  backupId?: string;
  backupType?: "CBR" | "CSBS";
  /** Minimum system disk in GB (OBS file and local file). */
  minDisk?: number;
  /** OS of the image, as the service names it (e.g. "Ubuntu 24.04 server 64bit"). */
  osVersion?: string;
  osType?: "Linux" | "Windows" | "Other";
  isConfig?: boolean;
  cmkId?: string;
  type?: "ECS" | "BMS" | "IsoImage";
  architecture?: "x86" | "arm";
  firmware?: "bios" | "uefi";
  licenseType?: "platform" | "byol";
  quickImport?: boolean;
}

export interface Timeouts {
  create?: string | number;
  update?: string | number;
  delete?: string | number;
}

export interface ImageInputs {
  name: string;
  description?: string;
  minRam?: number;
  maxRam?: number;
  tags?: Record<string, string>;
  source: ImageSource;
  region?: string;
  profile?: string;
  timeouts?: Timeouts;
  /** Take over an existing image instead of creating one. */
  adoptImageId?: string;
  /** On delete, stop sharing the image first instead of failing while it has members. */
  removeMembersOnDelete?: boolean;
}

export type SourceKind = "file" | "upload" | "instance" | "whole-instance" | "volume" | "backup";

export interface CheckFailure {
  property: string;
  reason: string;
}

const SELECTORS = ["imageUrl", "localFile", "instanceId", "volumeId", "backupId"] as const;

/** Which fields each source kind takes (beyond its selector). */
const FIELDS: Record<"private" | "data", Partial<Record<SourceKind, readonly string[]>>> = {
  private: {
    file: ["minDisk", "osVersion", "osType", "isConfig", "cmkId", "type", "architecture", "firmware", "licenseType", "quickImport"],
    upload: ["minDisk", "osVersion"],
    // wholeImage: false is the plain system-disk image of the server.
    instance: ["wholeImage"],
    "whole-instance": ["wholeImage", "vaultId"],
    volume: ["osVersion", "type"],
    backup: ["backupType"],
  },
  data: {
    file: ["minDisk", "osType", "cmkId", "quickImport"],
    volume: [],
  },
};

export function sourceKind(source: ImageSource): SourceKind | undefined {
  const chosen = SELECTORS.filter((k) => source[k] !== undefined);
  if (chosen.length !== 1) return undefined;
  switch (chosen[0]) {
    case "imageUrl":
      return "file";
    case "localFile":
      return "upload";
    case "instanceId":
      return source.wholeImage ? "whole-instance" : "instance";
    case "volumeId":
      return "volume";
    case "backupId":
      return "backup";
  }
}

const NAME = /^[A-Za-z0-9\-._\u4e00-\u9fa5](?:[A-Za-z0-9\-._ \u4e00-\u9fa5]{0,126}[A-Za-z0-9\-._\u4e00-\u9fa5])?$/;
const TAG_PART = /^[A-Za-z0-9_\-\u4e00-\u9fa5]*$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Validates inputs for an image kind; returns every failure, by property path. */
export function validateImageInputs(kind: "private" | "data", raw: Record<string, unknown>): CheckFailure[] {
  const failures: CheckFailure[] = [];
  const fail = (property: string, reason: string) => failures.push({ property, reason });
  const known = (v: unknown) => v !== undefined && !isUnknown(v);
  const isInt = (v: unknown) => typeof v === "number" && Number.isInteger(v);

  const allowed = new Set(["name", "description", "minRam", "maxRam", "tags", "source", "region", "profile", "timeouts", "adoptImageId", "removeMembersOnDelete", "__provider"]);
  for (const key of Object.keys(raw)) if (!allowed.has(key)) fail(key, `${key} is not an input of this resource`);

  const name = raw.name;
  if (name === undefined || name === "") fail("name", "name is required: 1 to 128 characters");
  else if (known(name)) {
    if (typeof name !== "string") fail("name", "name must be a string");
    else if (name.length > 128) fail("name", `name has ${name.length} characters; at most 128 are allowed`);
    else if (!NAME.test(name)) fail("name", "name may hold letters, digits, spaces, '-', '.' and '_', and must not start or end with a space");
  }
  const description = raw.description;
  if (known(description)) {
    if (typeof description !== "string") fail("description", "description must be a string");
    else if (description.length > 1024) fail("description", `description has ${description.length} characters; at most 1024 are allowed`);
    else if (/[\r<>]/.test(description)) fail("description", "description must not contain '<', '>' or a carriage return");
  }
  for (const key of ["minRam", "maxRam"] as const) {
    const v = raw[key];
    if (kind === "data" && v !== undefined) {
      fail(key, `${key} does not apply to data images: remove it`);
      continue;
    }
    if (known(v) && (!isInt(v) || (v as number) < 0 || (v as number) > 1_048_576)) fail(key, `${key} must be a whole number of MB from 0 to 1048576`);
  }
  if (isInt(raw.minRam) && isInt(raw.maxRam) && (raw.maxRam as number) !== 0 && (raw.maxRam as number) < (raw.minRam as number)) {
    fail("maxRam", `maxRam (${String(raw.maxRam)} MB) is below minRam (${String(raw.minRam)} MB)`);
  }
  const tags = raw.tags;
  if (known(tags)) {
    if (typeof tags !== "object" || tags === null || Array.isArray(tags)) fail("tags", "tags must be an object of key: value strings");
    else {
      const entries = Object.entries(tags as Record<string, unknown>);
      if (entries.length > 10) fail("tags", `an image takes at most 10 tags; ${entries.length} are given`);
      for (const [k, v] of entries) {
        if (k.length === 0 || k.length > 36 || !TAG_PART.test(k)) fail(`tags.${k}`, "a tag key has 1 to 36 letters, digits, '_' or '-'");
        if (v !== UNKNOWN && (typeof v !== "string" || v.length > 43 || !TAG_PART.test(v))) {
          fail(`tags.${k}`, "a tag value is a string of at most 43 letters, digits, '_' or '-'");
        }
      }
    }
  }
  for (const key of ["region", "profile"] as const) {
    const v = raw[key];
    if (known(v) && (typeof v !== "string" || v === "")) fail(key, `${key} must be a non-empty string`);
  }
  const adopt = raw.adoptImageId;
  if (known(adopt) && (typeof adopt !== "string" || !UUID.test(adopt))) fail("adoptImageId", "adoptImageId must be an image id (a UUID)");
  if (known(raw.removeMembersOnDelete) && typeof raw.removeMembersOnDelete !== "boolean") fail("removeMembersOnDelete", "removeMembersOnDelete must be true or false");
  const timeouts = raw.timeouts;
  if (known(timeouts)) {
    if (typeof timeouts !== "object" || timeouts === null) fail("timeouts", "timeouts must be an object with create, update and delete durations");
    else {
      for (const [k, v] of Object.entries(timeouts as Record<string, unknown>)) {
        if (!["create", "update", "delete"].includes(k)) fail(`timeouts.${k}`, "timeouts take create, update and delete");
        else {
          // The parser create, update and delete use: "0s" or "700h" must fail here, not at create.
          try {
            if (typeof v !== "number" && typeof v !== "string") throw new Error("not a duration");
            parseDuration(v, `timeouts.${k}`);
          } catch {
            fail(`timeouts.${k}`, 'a timeout is a positive number of seconds or a duration such as "90s", "30m", "1h30m" (at most 596h)');
          }
        }
      }
    }
  }
  validateSource(kind, raw.source, fail);
  return failures;
}

function validateSource(kind: "private" | "data", raw: unknown, fail: (p: string, r: string) => void): void {
  if (raw === undefined) return fail("source", "source is required");
  if (isUnknown(raw) && typeof raw !== "object") return;
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return fail("source", "source must be an object");
  const source = raw as ImageSource & Record<string, unknown>;
  const chosen = SELECTORS.filter((k) => source[k] !== undefined);
  const offered = Object.keys(FIELDS[kind]).map((k) => ({ file: "imageUrl", upload: "localFile", instance: "instanceId", "whole-instance": "instanceId + wholeImage", volume: "volumeId", backup: "backupId" })[k as SourceKind]);
  if (chosen.length !== 1) {
    return fail("source", `source takes exactly one of ${[...new Set(offered)].join(", ")}; ${chosen.length ? `got ${chosen.join(" and ")}` : "none is given"}`);
  }
  const sk = sourceKind(source)!;
  const fields = FIELDS[kind][sk];
  if (!fields) return fail(`source.${chosen[0]}`, `a ${kind === "data" ? "DataImage" : "PrivateImage"} cannot be made from ${chosen[0]}`);
  for (const key of Object.keys(source)) {
    if (key === chosen[0] || key === "__provider") continue;
    if (!fields.includes(key)) fail(`source.${key}`, `source.${key} does not apply to an image made from ${chosen[0]}`);
  }
  const known = (v: unknown) => v !== undefined && !isUnknown(v);
  const str = (key: string) => {
    const v = source[key];
    if (known(v) && (typeof v !== "string" || v === "")) fail(`source.${key}`, `source.${key} must be a non-empty string`);
  };
  for (const key of ["imageUrl", "localFile", "instanceId", "volumeId", "backupId", "vaultId", "osVersion", "cmkId"]) str(key);
  if (known(source.imageUrl) && typeof source.imageUrl === "string" && !/^[^:\s]+:\S+$/.test(source.imageUrl)) {
    fail("source.imageUrl", 'source.imageUrl must be "bucket:object", e.g. "images-bucket:ubuntu.qcow2"');
  }
  // A quick import takes 1 to 1024 GB for both kinds (reference §3.4); a data file otherwise 40 to 2048 (§3.5).
  const quick = source.quickImport === true;
  const [minLow, minHigh] = kind === "data" && !quick ? [40, 2048] : [1, 1024];
  if (sk === "file" && !isUnknown(source.quickImport)) {
    // Fields the chosen request has no place for would be dropped silently (an unencrypted image for a cmkId).
    const onlyNormal = kind === "private" ? ["cmkId", "isConfig", "osType"] : ["cmkId"];
    const onlyQuick = kind === "private" ? ["licenseType"] : [];
    for (const key of quick ? onlyNormal : onlyQuick) {
      if (source[key] !== undefined) fail(`source.${key}`, quick ? `source.${key} does not apply to a quick import` : `source.${key} applies only to a quick import (quickImport: true)`);
    }
    if (quick && source.type === "IsoImage") fail("source.type", "an ISO file cannot be quick-imported: drop source.quickImport");
  }
  if (sk === "file" || sk === "upload") {
    const minDisk = source.minDisk;
    if (minDisk === undefined) fail("source.minDisk", `source.minDisk is required (GB, ${minLow} to ${minHigh})`);
    else if (known(minDisk) && (typeof minDisk !== "number" || !Number.isInteger(minDisk) || minDisk < minLow || minDisk > minHigh)) {
      fail("source.minDisk", `source.minDisk must be a whole number of GB from ${minLow} to ${minHigh}`);
    }
  }
  const enumOf = (key: string, values: readonly string[]) => {
    const v = source[key];
    if (known(v) && !values.includes(v as string)) fail(`source.${key}`, `source.${key} must be one of ${values.join(", ")}`);
  };
  enumOf("osType", kind === "data" ? ["Linux", "Windows"] : ["Linux", "Windows", "Other"]);
  enumOf("type", sk === "volume" ? ["ECS", "BMS"] : ["ECS", "BMS", "IsoImage"]);
  enumOf("architecture", ["x86", "arm"]);
  enumOf("firmware", ["bios", "uefi"]);
  enumOf("licenseType", ["platform", "byol"]);
  enumOf("backupType", ["CBR", "CSBS"]);
  for (const key of ["isConfig", "quickImport", "wholeImage"]) {
    if (known(source[key]) && typeof source[key] !== "boolean") fail(`source.${key}`, `source.${key} must be true or false`);
  }
  if (known(source.cmkId) && typeof source.cmkId === "string" && !UUID.test(source.cmkId)) fail("source.cmkId", "source.cmkId must be a KMS key id (a UUID)");
  // A data image from a volume takes no OS (source.osVersion does not apply to it).
  const needsOs = (sk === "volume" && kind === "private") || (sk === "file" && kind === "private" && (source.quickImport === true || source.type === "IsoImage"));
  if (needsOs && source.osVersion === undefined) {
    fail("source.osVersion", `source.osVersion is required for an image made from ${sk === "volume" ? "a volume" : source.type === "IsoImage" ? "an ISO file" : "a quick import"}`);
  }
  if (source.architecture === "arm" && source.firmware === "bios") fail("source.firmware", "arm images boot with uefi: drop source.firmware or set it to uefi");
}
