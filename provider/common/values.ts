import { randomBytes } from "node:crypto";

/** Values as the engine hands them over and takes them back. */

/** A resource's `timeouts` input: durations such as "90s", "30m", "1h30m", or seconds. */
export interface TimeoutsInput {
  create?: string | number;
  update?: string | number;
  delete?: string | number;
}

/** A bag of properties as the engine passes it (inputs or outputs, with `__provider`). */
export type Raw = Record<string, unknown>;

/** Pulumi's placeholder for a value not known during preview. */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** True when the value, or anything inside it, is not known yet (preview). */
export const isUnknown = (value: unknown): boolean =>
  value === UNKNOWN || (typeof value === "object" && value !== null && Object.values(value).some(isUnknown));

/** A value that is given and known. */
export const known = (value: unknown): boolean => value !== undefined && !isUnknown(value);

/** JSON-clean copy: no undefined (the engine's Struct conversion refuses it). */
export const clean = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/** Equal as JSON, undefined and null alike. */
export const same = (a: unknown, b: unknown): boolean => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/**
 * The inputs with a `name` made by Pulumi's convention when the program gives none: the resource's
 * name (made a valid image name) and a suffix of 7 hexadecimal characters. The suffix comes from the
 * creation marker (a digest of the resource's URN), so preview and update agree and every run makes
 * the same name; the previous inputs' name is kept while it has the same prefix.
 */
export function withAutoName(olds: Raw, news: Raw): Raw {
  if (news.name !== undefined || typeof news.resourceName !== "string" || isUnknown(news.resourceName)) return news;
  const prefix = news.resourceName.replace(/[^A-Za-z0-9._-]+/g, "-").replace(/^[-.]+|[-.]+$/g, "").slice(0, 120) || "image";
  const old = olds.name;
  if (typeof old === "string" && old.startsWith(`${prefix}-`) && /^[0-9a-f]{7}$/.test(old.slice(prefix.length + 1))) return { ...news, name: old };
  const marker = news.creationMarker;
  const suffix = typeof marker === "string" && /^[0-9a-f]{7}/.test(marker) ? marker.slice(0, 7) : randomBytes(4).toString("hex").slice(0, 7);
  return { ...news, name: `${prefix}-${suffix}` };
}
