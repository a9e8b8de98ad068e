/**
 * Input checks shared by every resource kind, with the service's own rules (Huawei Cloud IMS API
 * reference, "Image Attributes" and "Image Tags"). Each check adds failures, by property path, to
 * a list: `check` reports every failing field at once, before any API call.
 */
import { clientFor } from "../config";
import { parseDuration } from "./time";
import { isUnknown, known } from "./values";

export interface CheckFailure {
  property: string;
  reason: string;
}

/** The failures of one `check`, collected in order. */
export class Failures {
  readonly list: CheckFailure[] = [];

  add(property: string, reason: string): void {
    this.list.push({ property, reason });
  }

  /** True when a failure names `property` or a field inside it. */
  has(property: string): boolean {
    return this.list.some((f) => f.property === property || f.property.startsWith(`${property}.`));
  }
}

const NAME = /^[A-Za-z0-9\-._\u4e00-\u9fa5](?:[A-Za-z0-9\-._ \u4e00-\u9fa5]{0,126}[A-Za-z0-9\-._\u4e00-\u9fa5])?$/;
const TAG_PART = /^[A-Za-z0-9_\-\u4e00-\u9fa5]*$/;
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Project ids (and IMS job ids) are 32 lower-case hex characters. */
export const PROJECT_ID = /^[0-9a-f]{32}$/;

const isInt = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v);

/** An image name: required unless `optional`; 1–128 letters, digits, spaces, '-', '.', '_'. */
export function checkImageName(f: Failures, property: string, value: unknown, optional = false): void {
  if (value === undefined || value === "") {
    if (!optional || value === "") f.add(property, `${property} is required: 1 to 128 characters`);
    return;
  }
  if (!known(value)) return;
  if (typeof value !== "string") f.add(property, `${property} must be a string`);
  else if (value.length > 128) f.add(property, `${property} has ${value.length} characters; at most 128 are allowed`);
  else if (!NAME.test(value)) f.add(property, `${property} may hold letters, digits, spaces, '-', '.' and '_', and must not start or end with a space`);
}

/** An image description: up to 1024 characters, no '<', '>' or carriage return. */
export function checkDescription(f: Failures, property: string, value: unknown): void {
  if (!known(value)) return;
  if (typeof value !== "string") f.add(property, `${property} must be a string`);
  else if (value.length > 1024) f.add(property, `${property} has ${value.length} characters; at most 1024 are allowed`);
  else if (/[\r<>]/.test(value)) f.add(property, `${property} must not contain '<', '>' or a carriage return`);
}

/** Memory limits in MB: whole numbers 0–1048576, `maxRam` not below `minRam`. */
export function checkRam(f: Failures, raw: Record<string, unknown>): void {
  for (const key of ["minRam", "maxRam"] as const) {
    const v = raw[key];
    if (known(v) && (!isInt(v) || v < 0 || v > 1_048_576)) f.add(key, `${key} must be a whole number of MB from 0 to 1048576`);
  }
  if (isInt(raw.minRam) && isInt(raw.maxRam) && raw.maxRam !== 0 && raw.maxRam < raw.minRam) {
    f.add("maxRam", `maxRam (${raw.maxRam} MB) is below minRam (${raw.minRam} MB)`);
  }
}

/** Image tags: at most 10; keys 1–36, values up to 43 letters, digits, '_' or '-'. */
export function checkTags(f: Failures, property: string, tags: unknown): void {
  if (!known(tags)) return;
  if (typeof tags !== "object" || tags === null || Array.isArray(tags)) return f.add(property, `${property} must be an object of key: value strings`);
  const entries = Object.entries(tags as Record<string, unknown>);
  if (entries.length > 10) f.add(property, `an image takes at most 10 tags; ${entries.length} are given`);
  for (const [k, v] of entries) {
    if (k.length === 0 || k.length > 36 || !TAG_PART.test(k)) f.add(`${property}.${k}`, "a tag key has 1 to 36 letters, digits, '_' or '-'");
    if (!isUnknown(v) && (typeof v !== "string" || v.length > 43 || !TAG_PART.test(v))) {
      f.add(`${property}.${k}`, "a tag value is a string of at most 43 letters, digits, '_' or '-'");
    }
  }
}

/** A non-empty string (region, profile, agency…). */
export function checkText(f: Failures, property: string, value: unknown, required = false): void {
  if (value === undefined) {
    if (required) f.add(property, `${property} is required`);
    return;
  }
  if (known(value) && (typeof value !== "string" || value.trim() === "")) f.add(property, `${property} must be a non-empty string`);
}

/** An id of a given shape (image ids are UUIDs, project ids 32 hex characters). */
export function checkId(f: Failures, property: string, value: unknown, shape: "uuid" | "project", what: string, required = false): void {
  if (value === undefined) {
    if (required) f.add(property, `${property} is required: ${what}`);
    return;
  }
  if (!known(value)) return;
  const pattern = shape === "uuid" ? UUID : PROJECT_ID;
  if (typeof value !== "string" || !pattern.test(value)) f.add(property, `${property} must be ${what}`);
}

/** An enterprise project: "0" (the account's default one) or an enterprise project id (a UUID). */
export function checkEnterpriseProject(f: Failures, value: unknown): void {
  if (known(value) && (typeof value !== "string" || (value !== "0" && !UUID.test(value)))) {
    f.add("enterpriseProjectId", 'enterpriseProjectId must be "0" (the default enterprise project) or an enterprise project id (a UUID, as the EPS console shows it)');
  }
}

/** The creation marker the SDK sets: a tag value (1–43 letters, digits, '_' or '-'). */
export function checkMarker(f: Failures, value: unknown): void {
  if (known(value) && (typeof value !== "string" || !/^[A-Za-z0-9_-]{1,43}$/.test(value))) {
    f.add("creationMarker", "creationMarker is set by pulumi-ims itself: 1 to 43 letters, digits, '_' or '-'");
  }
}

export function checkBoolean(f: Failures, property: string, value: unknown): void {
  if (known(value) && typeof value !== "boolean") f.add(property, `${property} must be true or false`);
}

/** One of a set of values. */
export function checkEnum(f: Failures, property: string, value: unknown, values: readonly string[]): void {
  if (known(value) && !values.includes(value as string)) f.add(property, `${property} must be one of ${values.join(", ")}`);
}

/** The `timeouts` input: create, update and delete durations, parsed as create/update/delete parse them. */
export function checkTimeouts(f: Failures, timeouts: unknown): void {
  if (!known(timeouts)) return;
  if (typeof timeouts !== "object" || timeouts === null) return f.add("timeouts", "timeouts must be an object with create, update and delete durations");
  for (const [k, v] of Object.entries(timeouts as Record<string, unknown>)) {
    if (!["create", "update", "delete"].includes(k)) f.add(`timeouts.${k}`, "timeouts take create, update and delete");
    else {
      // The parser create, update and delete use: "0s" or "700h" must fail here, not at create.
      try {
        if (typeof v !== "number" && typeof v !== "string") throw new Error("not a duration");
        parseDuration(v, `timeouts.${k}`);
      } catch {
        f.add(`timeouts.${k}`, 'a timeout is a positive number of seconds or a duration such as "90s", "30m", "1h30m" (at most 596h)');
      }
    }
  }
}

/**
 * Resolves the settings a resource will use (its region and profile, else the provider's), so that
 * a missing or contradictory setting fails `check`, before any API call; throws ConfigError.
 */
export function checkSettings(region: unknown, profile: unknown): void {
  if (isUnknown(region) || isUnknown(profile)) return;
  clientFor({ ...(typeof region === "string" ? { region } : {}), ...(typeof profile === "string" ? { profile } : {}) });
}
