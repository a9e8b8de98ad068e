/**
 * Validation of ImageExport inputs (Huawei Cloud IMS API Reference, "Exporting an Image", and its
 * error codes IMG.0068–IMG.0075 and IMG.0175; OBS bucket naming rules, "Creating a Bucket"): every
 * failing field at once, before any API call. What depends on the image is checked by the service
 * at create, and its refusals are explained there.
 */
import { unknownKeys } from "../common/schema";
import { checkBoolean, checkId, checkSettings, checkText, checkTimeouts, Failures, type CheckFailure } from "../common/validate";
import { isUnknown, known } from "../common/values";
import { EXPORT_FORMATS, exportSchema } from "./schema";

/** An OBS bucket name: 3–63 lower-case letters, digits, '-' and '.', starting and ending with a letter or digit. */
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const IP_ADDRESS = /^\d{1,3}(\.\d{1,3}){3}$/;
/** A folder or file name of an exported object: the characters of an image name, without spaces. */
const SEGMENT = /^[A-Za-z0-9\-._\u4e00-\u9fa5]+$/;
const MAX_OBJECT_CHARS = 128;
const EXAMPLE = "images-bucket:exports/web.qcow2";

/** `bucket:object` split at its first colon. */
export function splitBucketUrl(url: string): { bucket: string; objectKey: string } {
  const at = url.indexOf(":");
  return at < 0 ? { bucket: url, objectKey: "" } : { bucket: url.slice(0, at), objectKey: url.slice(at + 1) };
}

/** Why `bucket` is no OBS bucket name, or undefined. */
function bucketProblem(bucket: string): string | undefined {
  if (bucket === "") return `bucketUrl names no bucket before the colon; give bucket:object, e.g. ${EXAMPLE}`;
  const rules = "an OBS bucket name has 3 to 63 lower-case letters, digits, '-' and '.', starts and ends with a letter or digit, and is no IP address";
  if (!BUCKET.test(bucket) || IP_ADDRESS.test(bucket) || /\.\.|\.-|-\./.test(bucket)) return `bucketUrl: "${bucket}" is not a bucket name: ${rules}`;
  return undefined;
}

/** Why `key` is not a file name IMS writes, or undefined. */
function objectProblem(key: string): string | undefined {
  if (key === "") return `bucketUrl names no file after the colon; give bucket:object, e.g. ${EXAMPLE}`;
  if (key.length > MAX_OBJECT_CHARS) return `bucketUrl: the file name has ${key.length} characters; IMS writes names of at most ${MAX_OBJECT_CHARS}`;
  if (/\s/.test(key)) return `bucketUrl: "${key}" holds a space; IMS writes no folder or file name with spaces (use '-' or '_')`;
  if (key.split("/").some((segment) => segment === "")) return `bucketUrl: "${key}" has an empty folder or file name: no leading, trailing or double '/'`;
  if (!key.split("/").every((segment) => SEGMENT.test(segment))) {
    return `bucketUrl: "${key}" may hold only letters, digits, '-', '.' and '_' in its folder and file names, separated by '/'`;
  }
  return undefined;
}

function checkBucketUrl(f: Failures, value: unknown): void {
  if (value === undefined) return f.add("bucketUrl", `bucketUrl is required: the file to write, bucket:object, e.g. ${EXAMPLE}`);
  if (!known(value)) return;
  if (typeof value !== "string") return f.add("bucketUrl", `bucketUrl must be a string, bucket:object, e.g. ${EXAMPLE}`);
  const obs = /^obs:\/\/([^/]*)\/(.*)$/.exec(value);
  if (obs) return f.add("bucketUrl", `bucketUrl is bucket:object, not an obs:// URL: write ${obs[1]}:${obs[2]}`);
  if (!value.includes(":")) return f.add("bucketUrl", `bucketUrl must be bucket:object, e.g. ${EXAMPLE}`);
  const { bucket, objectKey } = splitBucketUrl(value);
  const problem = bucketProblem(bucket) ?? objectProblem(objectKey);
  if (problem) f.add("bucketUrl", problem);
}

function checkFormat(f: Failures, raw: Record<string, unknown>): void {
  const { fileFormat, quickExport } = raw;
  const formats = EXPORT_FORMATS.join(", ");
  if (known(fileFormat)) {
    if (fileFormat === "zvhd2") {
      return f.add("fileFormat", "fileFormat zvhd2 is what a quick export writes: set quickExport: true and remove fileFormat");
    }
    if (typeof fileFormat !== "string" || !(EXPORT_FORMATS as readonly string[]).includes(fileFormat)) {
      const lower = typeof fileFormat === "string" ? fileFormat.toLowerCase() : "";
      const hint = (EXPORT_FORMATS as readonly string[]).includes(lower) ? ` (in lower case: ${lower})` : "";
      return f.add("fileFormat", `fileFormat must be one of ${formats}${hint}`);
    }
    if (quickExport === true) {
      f.add("fileFormat", "fileFormat is not given with quickExport: true (a quick export writes the image's ZVHD2 file): remove fileFormat, or set quickExport to false");
    }
  } else if (fileFormat === undefined && !isUnknown(quickExport) && quickExport !== true) {
    f.add("fileFormat", `fileFormat is required unless quickExport is true: one of ${formats}`);
  }
}

export function validateExportInputs(raw: Record<string, unknown>): CheckFailure[] {
  const f = new Failures();
  f.list.push(...unknownKeys(exportSchema, raw));
  checkId(f, "imageId", raw.imageId, "uuid", "the id of the image to export (a UUID)", true);
  checkBucketUrl(f, raw.bucketUrl);
  checkBoolean(f, "quickExport", raw.quickExport);
  checkFormat(f, raw);
  checkText(f, "region", raw.region);
  checkText(f, "profile", raw.profile);
  checkTimeouts(f, raw.timeouts);
  if (f.list.length > 0) return f.list;
  checkSettings(raw.region, raw.profile);
  return f.list;
}
