/**
 * Image tags (IMS API Reference: Image Tags, Image Tag Format): a key → value map of at most 10
 * keys per image.
 */
import { glanceNotFound, img, ImsError } from "./errors";
import { asObject, optObjectArray, optString, reqString, type Fields } from "./input";
import type { Image, Tag } from "./model";
import { ownedImage, visibleImage } from "./access";
import { listImages } from "./queries";
import { MAX_TAGS, checkTag, legacyTag } from "./rules";
import type { Caller, World } from "./world";

function upsert(world: World, image: Image, tags: Tag[]): void {
  const map = new Map(image.tags.map((t) => [t.key, t]));
  for (const t of tags) map.set(t.key, t);
  if (map.size > MAX_TAGS) throw img("0116");
  image.tags = [...map.values()];
  image.updatedAt = world.now();
  world.imageChanged(image);
}

/** The project of a `/v2/{project_id}/...` path must be the caller's. */
export function checkPathProject(caller: Caller, projectId: string): void {
  if (projectId !== caller.project.id) throw img("0067");
}

/** `POST /v2/{project_id}/images/{image_id}/tags`: add or update one tag. */
export function addTag(world: World, caller: Caller, imageId: string, body: unknown): void {
  const fields = asObject(body);
  const tag = fields.tag;
  if (tag === null || typeof tag !== "object" || Array.isArray(tag)) throw img("0001", "tag must be an object with key and value.");
  const t = tag as Fields;
  upsert(world, ownedImage(world, caller, imageId), [checkTag(t.key, t.value ?? "")]);
}

/** `POST /v2/{project_id}/images/{image_id}/tags/action`: batch create or delete. */
export function batchTags(world: World, caller: Caller, imageId: string, body: unknown): void {
  const fields = asObject(body);
  const action = optString(fields, "action");
  if (action !== "create" && action !== "delete") throw img("0001", "action must be create or delete.");
  const tags = optObjectArray(fields, "tags");
  if (!tags || tags.length === 0) throw img("0001", "tags must list at least one tag.");
  const image = ownedImage(world, caller, imageId);
  const keys = tags.map((t) => t.key);
  if (new Set(keys).size !== keys.length) throw img("0115", "A key appears twice in tags.");
  if (action === "create") {
    upsert(world, image, tags.map((t) => checkTag(t.key, t.value ?? "")));
    return;
  }
  for (const t of tags) {
    if (typeof t.key !== "string" || t.key === "" || t.key.length > 127) throw img("0115");
    if (t.value !== undefined && (typeof t.value !== "string" || t.value.length > 255)) throw img("0115");
  }
  image.tags = image.tags.filter((have) => !tags.some((t) => t.key === have.key && (t.value === undefined || t.value === have.value)));
  image.updatedAt = world.now();
  world.imageChanged(image);
}

/** `DELETE /v2/{project_id}/images/{image_id}/tags/{key}`: 404 when the key is not there. */
export function deleteTag(world: World, caller: Caller, imageId: string, key: string): void {
  const image = ownedImage(world, caller, imageId);
  if (!image.tags.some((t) => t.key === key)) throw new ImsError("IMG.0115", `The image has no tag ${key}.`, 404);
  image.tags = image.tags.filter((t) => t.key !== key);
  image.updatedAt = world.now();
  world.imageChanged(image);
}

/** `GET /v2/{project_id}/images/{image_id}/tags`. */
export function imageTags(world: World, caller: Caller, imageId: string): Tag[] {
  const image = visibleImage(world, caller, imageId);
  if (!image) throw img("0027");
  return image.tags;
}

/** `GET /v2/{project_id}/images/tags`: every key of the project's images with its distinct values. */
export function projectTags(world: World, caller: Caller): { key: string; values: string[] }[] {
  const byKey = new Map<string, Set<string>>();
  for (const image of world.state.images) {
    if (image.owner !== caller.project.id || image.region !== caller.project.region) continue;
    for (const t of image.tags) {
      if (!byKey.has(t.key)) byKey.set(t.key, new Set());
      byKey.get(t.key)!.add(t.value);
    }
  }
  return [...byKey].map(([key, values]) => ({ key, values: [...values] }));
}

interface TagFilter {
  key: string;
  values: string[];
}

function readFilters(fields: Fields, name: string): TagFilter[] | undefined {
  const list = optObjectArray(fields, name);
  if (!list) return undefined;
  if (list.length > 10) throw img("0115", `${name} takes at most 10 keys.`);
  const keys = new Set<string>();
  return list.map((f) => {
    if (typeof f.key !== "string" || f.key === "" || f.key.length > 128) throw img("0115");
    if (keys.has(f.key)) throw img("0115", `The key ${f.key} appears twice in ${name}.`);
    keys.add(f.key);
    const values = f.values ?? [];
    if (!Array.isArray(values) || values.length > 10 || values.some((v) => typeof v !== "string" || v.length > 255)) throw img("0115");
    return { key: f.key, values: values as string[] };
  });
}

const matches = (tags: Tag[], f: TagFilter): boolean =>
  tags.some((t) => t.key === f.key && (f.values.length === 0 || f.values.includes(t.value)));

/** `POST /v2/{project_id}/images/resource_instances/action`: filter or count images by tag. */
export function queryByTags(world: World, caller: Caller, body: unknown): Record<string, unknown> {
  const fields = asObject(body);
  const action = optString(fields, "action");
  if (action !== "filter" && action !== "count") throw img("0001", "action must be filter or count.");
  const all = readFilters(fields, "tags");
  const any = readFilters(fields, "tags_any");
  const not = readFilters(fields, "not_tags");
  const notAny = readFilters(fields, "not_tags_any");
  const untagged = fields.without_any_tag;
  if (untagged !== undefined && typeof untagged !== "boolean") throw img("0001", "without_any_tag must be true or false.");
  const page = (key: string, dflt: number, min: number, max: number): number => {
    const raw = optString(fields, key);
    if (raw === undefined) return dflt;
    if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) throw img("0001", `${key} must be a string holding an integer from ${min} to ${max}.`);
    return Number(raw);
  };
  const limit = page("limit", 10, 1, 1000);
  const offset = page("offset", 0, 0, Number.MAX_SAFE_INTEGER);
  const nameMatch = (optObjectArray(fields, "matches") ?? []).map((m) => {
    const key = reqString(m, "key", img("0001", "matches[].key is required."));
    if (key !== "resource_name" && key !== "resource_id") throw img("0001", "matches[].key must be resource_name or resource_id.");
    const value = optString(m, "value") ?? "";
    if (value.length > 255) throw img("0001", "matches[].value is longer than 255 characters.");
    return { key, value };
  });

  const owned = listImages(world, caller, new URLSearchParams({ owner: caller.project.id, limit: "1000" }), { native: false });
  const images = owned.images
    .map((v) => world.image(v.id as string)!)
    .filter((image) => {
      if (untagged === true) return image.tags.length === 0;
      if (all && !all.every((f) => matches(image.tags, f))) return false;
      if (any && !any.some((f) => matches(image.tags, f))) return false;
      if (not && not.every((f) => matches(image.tags, f))) return false;
      if (notAny && notAny.some((f) => matches(image.tags, f))) return false;
      for (const m of nameMatch) {
        if (m.key === "resource_id" && image.id !== m.value) return false;
        if (m.key === "resource_name" && !(m.value === "" ? true : image.name.includes(m.value))) return false;
      }
      return true;
    });
  if (action === "count") return { total_count: images.length };
  return {
    total_count: images.length,
    resources: images.slice(offset, offset + limit).map((image) => ({
      resource_id: image.id,
      resource_name: image.name,
      resource_detail: { status: image.status },
      tags: image.tags.map((t) => ({ key: t.key, value: t.value })),
    })),
  };
}

/** `PUT /v1/cloudimages/tags`: legacy add or modify one tag ("key.value" or {key, value}). */
export function putLegacyTag(world: World, caller: Caller, body: unknown): void {
  const fields = asObject(body);
  const imageId = reqString(fields, "image_id", img("0027"));
  const legacy = optString(fields, "tag");
  const modern = fields.image_tag;
  if ((legacy === undefined) === (modern === undefined)) throw img("0001", "Give exactly one of tag and image_tag.");
  let tag: Tag;
  if (legacy !== undefined) {
    tag = legacyTag(legacy);
  } else {
    if (modern === null || typeof modern !== "object" || Array.isArray(modern)) throw img("0001", "image_tag must be an object.");
    tag = checkTag((modern as Fields).key, (modern as Fields).value ?? "");
  }
  upsert(world, ownedImage(world, caller, imageId), [tag]);
}

/** `GET /v1/cloudimages/tags`: tag strings of the images the query selects, paged by `page`. */
export function listLegacyTags(world: World, caller: Caller, query: URLSearchParams): string[] {
  const filters = new URLSearchParams(query);
  const limitRaw = filters.get("limit");
  const pageRaw = filters.get("page");
  filters.delete("limit");
  filters.delete("page");
  filters.set("limit", "1000");
  const tags = listImages(world, caller, filters, { native: false }).images.flatMap((v) =>
    // The legacy tag listing keeps "key.value" for legacy tags; new-style ones use "=".
    (world.image(v.id as string)?.tags ?? []).map((t) => (t.value === "" ? t.key : `${t.key}${t.legacy ? "." : "="}${t.value}`)),
  );
  const distinct = [...new Set(tags)];
  if (limitRaw === null) return distinct;
  if (!/^\d+$/.test(limitRaw) || (pageRaw !== null && !/^[1-9]\d*$/.test(pageRaw))) throw img("0001", "limit and page must be positive integers.");
  const limit = Number(limitRaw);
  const page = Number(pageRaw ?? "1");
  return distinct.slice((page - 1) * limit, page * limit);
}

/** `DELETE /v1/{project_id}/cloudimages/{image_id}/tags/delete`: batch delete. */
export function batchDeleteTags(world: World, caller: Caller, imageId: string, body: unknown): void {
  batchTags(world, caller, imageId, { ...asObject(body), action: "delete" });
}

/** `PUT /v2/images/{image_id}/tags/{tag}`: a key-only tag. */
export function addNativeTag(world: World, caller: Caller, imageId: string, tag: string): void {
  const image = visibleImage(world, caller, imageId);
  if (!image) throw glanceNotFound(imageId);
  if (image.owner !== caller.project.id) throw new ImsError("IMG.0106", "The image owner is another tenant.", 403);
  if (tag.length === 0 || tag.length > 255 || !/^[A-Za-z0-9_-]+$/.test(tag)) throw img("0115");
  if (image.tags.some((t) => t.key === tag)) return;
  upsert(world, image, [{ key: tag, value: "" }]);
}

/** `DELETE /v2/images/{image_id}/tags/{tag}`. */
export function deleteNativeTag(world: World, caller: Caller, imageId: string, tag: string): void {
  const image = visibleImage(world, caller, imageId);
  if (!image) throw glanceNotFound(imageId);
  if (image.owner !== caller.project.id) throw new ImsError("IMG.0106", "The image owner is another tenant.", 403);
  if (!image.tags.some((t) => t.key === tag)) throw new ImsError("IMG.0115", `The image has no tag ${tag}.`, 404);
  image.tags = image.tags.filter((t) => t.key !== tag);
  image.updatedAt = world.now();
  world.imageChanged(image);
}
