/**
 * The service's rules for names, descriptions, sizes and tags (IMS API Reference, Common
 * Parameters: Image Attributes, Image Tag Format).
 */
import { img } from "./errors";
import { findOsVersion, type OsVersion } from "./os-versions";
import type { Tag } from "./model";
import { optObjectArray, optStringArray, type Fields } from "./input";

const NAME = /^[A-Za-z0-9\-._\u4e00-\u9fa5](?:[A-Za-z0-9\-._ \u4e00-\u9fa5]{0,126}[A-Za-z0-9\-._\u4e00-\u9fa5])?$/;

export function checkName(name: string | undefined): string {
  if (name === undefined || name === "") throw img("0013");
  if (name.length > 128) throw img("0002");
  if (!NAME.test(name)) throw img("0003");
  return name;
}

export function checkDescription(description: string | undefined): string {
  if (description === undefined) return "";
  if (description.length > 1024) throw img("0004");
  if (/[\r<>]/.test(description)) throw img("0054");
  return description;
}

export function checkRange(value: number | undefined, min: number, max: number, what: string): number | undefined {
  if (value === undefined) return undefined;
  if (value < min || value > max) throw img("0055", `${what} must be between ${min} and ${max}, got ${value}.`);
  return value;
}

export function checkRam(minRam: number | undefined, maxRam: number | undefined): { minRam: number; maxRam?: number } {
  checkRange(minRam, 0, 1_048_576, "min_ram (MB)");
  checkRange(maxRam, 0, 1_048_576, "max_ram (MB)");
  if (minRam !== undefined && maxRam !== undefined && maxRam !== 0 && maxRam < minRam) {
    throw img("0055", `max_ram (${maxRam}) is below min_ram (${minRam}).`);
  }
  return { minRam: minRam ?? 0, ...(maxRam !== undefined ? { maxRam } : {}) };
}

export function checkOsVersion(osVersion: string): OsVersion {
  const found = findOsVersion(osVersion);
  if (!found) throw img("0056");
  return found;
}

const TAG_PART = /^[A-Za-z0-9_\-\u4e00-\u9fa5]*$/;
export const MAX_TAGS = 10;

/** Checks one tag as the add and create APIs do (key ≤ 36, value ≤ 43, letters, digits, _ and -). */
export function checkTag(key: unknown, value: unknown): Tag {
  if (typeof key !== "string" || typeof value !== "string") throw img("0115");
  const k = key.trim();
  const v = value.trim();
  if (k.length === 0 || k.length > 36 || v.length > 43 || !TAG_PART.test(k) || !TAG_PART.test(v)) throw img("0115");
  return { key: k, value: v };
}

/** A tag in the legacy "key.value" form (no dot: a key with an empty value), marked as legacy. */
export function legacyTag(text: string): Tag {
  const dot = text.indexOf(".");
  const tag = dot < 0 ? checkTag(text, "") : checkTag(text.slice(0, dot), text.slice(dot + 1));
  return { ...tag, legacy: true };
}

/** The `tags` (legacy "key.value") or `image_tags` ({key,value}) of a create request. */
export function readCreateTags(fields: Fields): Tag[] {
  const legacy = optStringArray(fields, "tags");
  const modern = optObjectArray(fields, "image_tags");
  if (legacy && modern) throw img("0115", "tags and image_tags cannot be used together.");
  const tags = legacy
    ? legacy.map(legacyTag)
    : (modern ?? []).map((t) => checkTag(t.key, t.value ?? ""));
  const merged = new Map(tags.map((t) => [t.key, t]));
  if (merged.size > MAX_TAGS) throw img("0116");
  return [...merged.values()];
}
