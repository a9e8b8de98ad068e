/**
 * Inputs of PrivateImage and DataImage and their validation, with the service's own rules (Huawei
 * Cloud IMS API reference, "Image Attributes", "Creating an Image", "Creating a Data Disk Image
 * Using an External Image File", "Importing an Image File Quickly"): every failing field is
 * reported at once, before any API call.
 */
import { unknownKeys } from "../common/schema";
import {
  checkBoolean,
  checkDescription,
  checkId,
  checkImageName,
  checkMarker,
  checkRam,
  checkTags,
  checkText,
  checkTimeouts,
  Failures,
  UUID,
  type CheckFailure,
} from "../common/validate";
import { isUnknown, known } from "../common/values";
import { imageSchema, type ImageSource } from "./schema";

export type { ImageInputs, ImageOutputs, ImageSource } from "./schema";

export type SourceKind = "file" | "upload" | "instance" | "whole-instance" | "volume" | "backup";

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

/** Validates inputs for an image kind; returns every failure, by property path. */
export function validateImageInputs(kind: "private" | "data", raw: Record<string, unknown>): CheckFailure[] {
  const f = new Failures();
  f.list.push(...unknownKeys(imageSchema, raw));
  checkImageName(f, "name", raw.name);
  checkDescription(f, "description", raw.description);
  if (kind === "data") {
    for (const key of ["minRam", "maxRam"] as const) if (raw[key] !== undefined) f.add(key, `${key} does not apply to data images: remove it`);
  } else checkRam(f, raw);
  checkTags(f, "tags", raw.tags);
  checkText(f, "region", raw.region);
  checkText(f, "profile", raw.profile);
  checkId(f, "adoptImageId", raw.adoptImageId, "uuid", "an image id (a UUID)");
  checkBoolean(f, "removeMembersOnDelete", raw.removeMembersOnDelete);
  checkMarker(f, raw.creationMarker);
  checkText(f, "resourceName", raw.resourceName);
  checkTimeouts(f, raw.timeouts);
  validateSource(kind, raw.source, (p, r) => f.add(p, r));
  return f.list;
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
  const str = (key: string) => {
    const v = source[key];
    if (known(v) && (typeof v !== "string" || v === "")) fail(`source.${key}`, `source.${key} must be a non-empty string`);
  };
  for (const key of ["imageUrl", "localFile", "instanceId", "volumeId", "backupId", "vaultId", "osVersion", "cmkId"]) str(key);
  if (known(source.imageUrl) && typeof source.imageUrl === "string" && !/^[^:\s]+:\S+$/.test(source.imageUrl)) {
    fail("source.imageUrl", 'source.imageUrl must be "bucket:object", e.g. "images-bucket:ubuntu.qcow2"');
  }
  // A quick import takes 1 to 1024 GB for both kinds ("Importing an Image File Quickly"); a data file
  // otherwise 40 to 2048 ("Creating a Data Disk Image Using an External Image File").
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
