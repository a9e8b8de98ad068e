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
  checkEnterpriseProject,
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
import { imageSchemas, type ImageSource } from "./schema";

export type { ImageInputs, ImageOutputs, ImageSource } from "./schema";

export type SourceKind = "file" | "register" | "upload" | "instance" | "whole-instance" | "volume" | "backup";

const SELECTORS = ["imageUrl", "localFile", "instanceId", "volumeId", "backupId"] as const;

/** Which fields each source kind takes (beyond its selector). */
const FIELDS: Record<"private" | "data", Partial<Record<SourceKind, readonly string[]>>> = {
  private: {
    file: ["minDisk", "osVersion", "osType", "isConfig", "cmkId", "type", "architecture", "firmware", "licenseType", "quickImport", "register", "dataDisks"],
    // An OBS file registered into an image made by POST /v2/images.
    register: ["register", "minDisk", "osVersion"],
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
      return source.register === true ? "register" : "file";
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
  f.list.push(...unknownKeys(imageSchemas[kind], raw));
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
  checkBoolean(f, "keepDataImages", raw.keepDataImages);
  checkEnterpriseProject(f, raw.enterpriseProjectId);
  checkMarker(f, raw.creationMarker);
  checkText(f, "resourceName", raw.resourceName);
  checkTimeouts(f, raw.timeouts);
  validateSource(kind, raw.source, (p, r) => f.add(p, r));
  const dataDisks = (raw.source as { dataDisks?: unknown } | undefined)?.dataDisks;
  if (raw.adoptImageId !== undefined && dataDisks !== undefined) {
    f.add("adoptImageId", "adoptImageId takes over the system image only: remove source.dataDisks, and declare each data image as a DataImage with its own adoptImageId");
  }
  if (raw.keepDataImages !== undefined && dataDisks === undefined) f.add("keepDataImages", "keepDataImages applies only with source.dataDisks: remove it");
  return f.list;
}

function validateSource(kind: "private" | "data", raw: unknown, fail: (p: string, r: string) => void): void {
  if (raw === undefined) return fail("source", "source is required");
  if (isUnknown(raw) && typeof raw !== "object") return;
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return fail("source", "source must be an object");
  const source = raw as ImageSource & Record<string, unknown>;
  const chosen = SELECTORS.filter((k) => source[k] !== undefined);
  const offered = Object.keys(FIELDS[kind]).map(
    (k) => ({ file: "imageUrl", register: "imageUrl + register", upload: "localFile", instance: "instanceId", "whole-instance": "instanceId + wholeImage", volume: "volumeId", backup: "backupId" })[k as SourceKind],
  );
  if (chosen.length !== 1) {
    return fail("source", `source takes exactly one of ${[...new Set(offered)].join(", ")}; ${chosen.length ? `got ${chosen.join(" and ")}` : "none is given"}`);
  }
  if (kind === "data" && source.register !== undefined) return fail("source.register", "source.register applies to a PrivateImage only: a DataImage is imported from its file directly");
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
  if (sk === "file" || sk === "upload" || sk === "register") {
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
  for (const key of ["isConfig", "quickImport", "wholeImage", "register"]) {
    if (known(source[key]) && typeof source[key] !== "boolean") fail(`source.${key}`, `source.${key} must be true or false`);
  }
  if (known(source.cmkId) && typeof source.cmkId === "string" && !UUID.test(source.cmkId)) fail("source.cmkId", "source.cmkId must be a KMS key id (a UUID)");
  // A data image from a volume takes no OS (source.osVersion does not apply to it).
  const needsOs = (sk === "volume" && kind === "private") || (sk === "file" && kind === "private" && (source.quickImport === true || source.type === "IsoImage"));
  if (needsOs && source.osVersion === undefined) {
    fail("source.osVersion", `source.osVersion is required for an image made from ${sk === "volume" ? "a volume" : source.type === "IsoImage" ? "an ISO file" : "a quick import"}`);
  }
  if (source.architecture === "arm" && source.firmware === "bios") fail("source.firmware", "arm images boot with uefi: drop source.firmware or set it to uefi");
  if (source.dataDisks !== undefined && fields.includes("dataDisks")) validateDataDisks(source, fail);
}

/** Keys of a data disk of `source.dataDisks`. */
const DATA_DISK_KEYS = ["imageUrl", "minDisk", "name", "description", "tags"];

/**
 * `source.dataDisks` of a PrivateImage imported from an OBS file: up to 3 data disks, each an OBS file
 * of its own with its minimum size, imported in the same call ("Creating an Image", data_images).
 */
function validateDataDisks(source: ImageSource & Record<string, unknown>, fail: (p: string, r: string) => void): void {
  const disks = source.dataDisks as unknown;
  if (!known(disks)) return;
  if (!Array.isArray(disks) || disks.length === 0 || disks.length > 3) {
    return fail("source.dataDisks", "source.dataDisks must be a list of 1 to 3 data disks, each { imageUrl, minDisk }: IMS imports at most 3 data disks with a system image");
  }
  if (source.quickImport === true) fail("source.dataDisks", "source.dataDisks cannot come with a quick import: import the data disks as DataImages (quickImport) instead");
  if (source.type === "IsoImage") fail("source.dataDisks", "source.dataDisks cannot come with an ISO file");
  const urls = new Map<string, string>();
  if (typeof source.imageUrl === "string") urls.set(source.imageUrl, "source.imageUrl");
  disks.forEach((disk: unknown, i) => {
    const at = `source.dataDisks[${i}]`;
    if (isUnknown(disk) && typeof disk !== "object") return;
    if (typeof disk !== "object" || disk === null || Array.isArray(disk)) return fail(at, `${at} must be an object { imageUrl, minDisk, name?, description?, tags? }`);
    const d = disk as Record<string, unknown>;
    for (const key of Object.keys(d)) if (!DATA_DISK_KEYS.includes(key)) fail(`${at}.${key}`, `${at}.${key} is not a field of a data disk; its fields are ${DATA_DISK_KEYS.join(", ")}`);
    if (d.imageUrl === undefined) fail(`${at}.imageUrl`, `${at}.imageUrl is required: the OBS file of the data disk, "bucket:object"`);
    else if (known(d.imageUrl)) {
      if (typeof d.imageUrl !== "string" || !/^[^:\s]+:\S+$/.test(d.imageUrl)) fail(`${at}.imageUrl`, `${at}.imageUrl must be "bucket:object", e.g. "images-bucket:data-disk.qcow2"`);
      else if (urls.has(d.imageUrl)) fail(`${at}.imageUrl`, `${at}.imageUrl is also ${urls.get(d.imageUrl)}: each disk needs a file of its own`);
      else urls.set(d.imageUrl, `${at}.imageUrl`);
    }
    if (d.minDisk === undefined) fail(`${at}.minDisk`, `${at}.minDisk is required (GB, 1 to 2048)`);
    else if (known(d.minDisk) && (typeof d.minDisk !== "number" || !Number.isInteger(d.minDisk) || d.minDisk < 1 || d.minDisk > 2048)) {
      fail(`${at}.minDisk`, `${at}.minDisk must be a whole number of GB from 1 to 2048`);
    }
    const f = new Failures();
    checkImageName(f, `${at}.name`, d.name, true);
    checkDescription(f, `${at}.description`, d.description);
    checkTags(f, `${at}.tags`, d.tags);
    for (const failure of f.list) fail(failure.property, failure.reason);
  });
}
