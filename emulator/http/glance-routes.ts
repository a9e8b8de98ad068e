/** Glance-compatible (native OpenStack) APIs as IMS serves them (IMS API Reference, Native OpenStack APIs). */
import { glanceNotFound, img } from "../domain/errors";
import { visibleImage } from "../domain/access";
import { createImageMetadata, deleteImage, uploadImageFile } from "../domain/images";
import { addMember, deleteMember, getMember, listMembers, setMemberStatus } from "../domain/members";
import type { Image } from "../domain/model";
import { listImages } from "../domain/queries";
import { addNativeTag, deleteNativeTag } from "../domain/tags";
import { updateImageNative } from "../domain/updates";
import { imageView, memberView } from "../domain/views";
import { GLANCE_SCHEMAS } from "./schemas";
import { ok, type Context, type Reply, type Route } from "./router";

const glance = (method: string, path: string, handle: (ctx: Context) => Reply): Route => ({ method, path, auth: "project", family: "ims", handle });
const open = (method: string, path: string, handle: (ctx: Context) => Reply): Route => ({ method, path, auth: "none", family: "ims", handle });

function visible(ctx: Context, id: string): Image {
  const image = visibleImage(ctx.world, ctx.caller, id);
  if (!image) throw glanceNotFound(id);
  return image;
}

/** The query string of a list page, with `marker` set or dropped. */
function pageLink(query: URLSearchParams, marker?: string): string {
  const q = new URLSearchParams(query);
  q.delete("marker");
  if (!q.has("__isregistered")) q.set("__isregistered", "true");
  if (marker) q.set("marker", marker);
  return `/v2/images?${q.toString()}`;
}

/** v1 timestamps: microseconds, no zone. */
const v1Time = (ms: number): string => new Date(ms).toISOString().replace("Z", "000").replace(/\.(\d{3})000$/, ".$1000");

function v1Image(image: Image, viewer: string) {
  const view = imageView(image, viewer);
  return {
    status: image.status,
    deleted_at: null,
    name: image.name,
    deleted: false,
    container_format: image.containerFormat,
    disk_format: image.diskFormat,
    created_at: v1Time(image.createdAt),
    updated_at: v1Time(image.updatedAt),
    min_disk: image.minDisk,
    protected: image.protected,
    id: image.id,
    min_ram: image.minRam,
    checksum: image.checksum,
    owner: image.owner,
    is_public: view.visibility === "public",
    virtual_size: null,
    properties: Object.fromEntries(Object.entries(view).filter(([k, v]) => k.startsWith("__") && typeof v === "string")),
    size: image.size,
  };
}

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * A name, description or property as an `X-Image-Meta-*` header value: UTF-8 bytes on the wire
 * (as Glance v1 sends them), control characters percent-encoded, since HTTP cannot carry them.
 */
const headerValue = (text: string): string =>
  Buffer.from(text, "utf8")
    .toString("latin1")
    .replace(/[^\t\x20-\x7e\x80-\xff]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0")}`);

export const glanceRoutes: Route[] = [
  ...Object.entries(GLANCE_SCHEMAS).map(([name, schema]) => open("GET", `/v2/schemas/${name}`, () => ok(schema))),
  glance("GET", "/v2/images", (ctx) => {
    const result = listImages(ctx.world, ctx.caller, ctx.query, { native: true, more: true });
    const body: Record<string, unknown> = { images: result.images, schema: "/v2/schemas/images", first: pageLink(ctx.query) };
    if (result.nextMarker) body.next = pageLink(ctx.query, result.nextMarker);
    return ok(body);
  }),
  glance("POST", "/v2/images", (ctx) => {
    const image = createImageMetadata(ctx.world, ctx.caller, ctx.json());
    return ok(imageView(image, ctx.caller.project.id), 201, { Location: `${ctx.runtime.baseUrl}/v2/images/${image.id}` });
  }),
  glance("GET", "/v2/images/{image_id}", (ctx) => ok(imageView(visible(ctx, ctx.params.image_id), ctx.caller.project.id))),
  glance("PATCH", "/v2/images/{image_id}", (ctx) => {
    const type = String(ctx.headers["content-type"] ?? "");
    const dialect = type.includes("openstack-images-v2.0-json-patch") ? "v2.0" : "v2.1";
    return ok(imageView(updateImageNative(ctx.world, ctx.caller, ctx.params.image_id, ctx.json(), dialect), ctx.caller.project.id));
  }),
  glance("DELETE", "/v2/images/{image_id}", (ctx) => {
    deleteImage(ctx.world, ctx.caller, ctx.params.image_id, ctx.raw.length ? ctx.json() : undefined);
    return ok(undefined, 204);
  }),
  glance("PUT", "/v2/images/{image_id}/file", (ctx) => {
    uploadImageFile(ctx.world, ctx.caller, ctx.params.image_id, ctx.raw);
    return ok(undefined, 204);
  }),
  glance("GET", "/v2/images/{image_id}/file", (ctx) => {
    const image = visible(ctx, ctx.params.image_id);
    if (!image.data || image.status !== "active") return ok(undefined, 204);
    const bytes = Buffer.from(image.data, "base64");
    return ok(bytes, 200, { "Content-Type": "application/octet-stream", "Content-MD5": image.checksum });
  }),
  glance("POST", "/v2/images/{image_id}/members", (ctx) => {
    const { image, member } = addMember(ctx.world, ctx.caller, ctx.params.image_id, ctx.json());
    return ok(memberView(image, member));
  }),
  glance("GET", "/v2/images/{image_id}/members", (ctx) => {
    const { image, members } = listMembers(ctx.world, ctx.caller, ctx.params.image_id);
    return ok({ members: members.map((m) => memberView(image, m)), schema: "/v2/schemas/members" });
  }),
  glance("GET", "/v2/images/{image_id}/members/{member_id}", (ctx) => {
    const { image, member } = getMember(ctx.world, ctx.caller, ctx.params.image_id, ctx.params.member_id);
    return ok(memberView(image, member));
  }),
  glance("PUT", "/v2/images/{image_id}/members/{member_id}", (ctx) => {
    const { image, member } = setMemberStatus(ctx.world, ctx.caller, ctx.params.image_id, ctx.params.member_id, ctx.json());
    return ok(memberView(image, member));
  }),
  glance("DELETE", "/v2/images/{image_id}/members/{member_id}", (ctx) => {
    deleteMember(ctx.world, ctx.caller, ctx.params.image_id, ctx.params.member_id);
    return ok(undefined, 204);
  }),
  glance("PUT", "/v2/images/{image_id}/tags/{tag}", (ctx) => {
    addNativeTag(ctx.world, ctx.caller, ctx.params.image_id, ctx.params.tag);
    return ok(undefined, 204);
  }),
  glance("DELETE", "/v2/images/{image_id}/tags/{tag}", (ctx) => {
    deleteNativeTag(ctx.world, ctx.caller, ctx.params.image_id, ctx.params.tag);
    return ok(undefined, 204);
  }),
  glance("HEAD", "/v1/images/{image_id}", (ctx) => {
    const image = visible(ctx, ctx.params.image_id);
    const v1 = v1Image(image, ctx.caller.project.id);
    const headers: Record<string, string> = {
      "X-Image-Meta-Id": image.id,
      "X-Image-Meta-Name": image.name,
      "X-Image-Meta-Status": image.status,
      "X-Image-Meta-Deleted": "False",
      "X-Image-Meta-Container_format": image.containerFormat,
      "X-Image-Meta-Disk_format": image.diskFormat,
      "X-Image-Meta-Checksum": image.checksum,
      "X-Image-Meta-Protected": image.protected ? "True" : "False",
      "X-Image-Meta-Min_disk": String(image.minDisk),
      "X-Image-Meta-Min_ram": String(image.minRam),
      "X-Image-Meta-Created_at": v1.created_at,
      "X-Image-Meta-Updated_at": v1.updated_at,
      "X-Image-Meta-Size": String(image.size),
      "X-Image-Meta-Is_public": v1.is_public ? "True" : "False",
      "X-Image-Meta-Owner": image.owner,
      Etag: image.checksum,
      "X-Openstack-Request-Id": `req-${ctx.requestId.replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, "$1-$2-$3-$4-$5")}`,
    };
    for (const [k, v] of Object.entries(v1.properties)) if (HEADER_NAME.test(k)) headers[`X-Image-Meta-Property-${k}`] = String(v);
    return ok(undefined, 200, Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, headerValue(v)])));
  }),
  glance("GET", "/v1.1/images/detail", (ctx) => {
    const q = new URLSearchParams({ limit: "1000" });
    for (const key of ["name", "container_format", "disk_format", "status"]) {
      const v = ctx.query.get(key);
      if (v !== null) q.set(key, v);
    }
    const sizeMin = ctx.query.get("size_min") !== null ? Number(ctx.query.get("size_min")) : undefined;
    const sizeMax = ctx.query.get("size_max") !== null ? Number(ctx.query.get("size_max")) : undefined;
    if ((sizeMin !== undefined && Number.isNaN(sizeMin)) || (sizeMax !== undefined && Number.isNaN(sizeMax))) {
      throw img("0001", "size_min and size_max must be numbers.");
    }
    const since = ctx.query.get("changes-since");
    const sinceMs = since !== null ? Date.parse(since) : undefined;
    if (sinceMs !== undefined && Number.isNaN(sinceMs)) throw img("0001", "changes-since must be a timestamp.");
    const images = listImages(ctx.world, ctx.caller, q, { native: true })
      .images.map((v) => ctx.world.image(v.id as string)!)
      .filter((i) => (sizeMin === undefined || i.size >= sizeMin) && (sizeMax === undefined || i.size <= sizeMax))
      .filter((i) => sinceMs === undefined || i.updatedAt >= sinceMs);
    return ok({ images: images.map((i) => v1Image(i, ctx.caller.project.id)) });
  }),
  glance("DELETE", "/v1.1/images/{image_id}", (ctx) => {
    deleteImage(ctx.world, ctx.caller, ctx.params.image_id, undefined);
    return ok(undefined, 200);
  }),
];
