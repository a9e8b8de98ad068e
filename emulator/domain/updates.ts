/**
 * JSON-patch updates of images: `PATCH /v2/cloudimages/{id}` (extension) and
 * `PATCH /v2/images/{id}` (Glance-compatible, two dialects), after the image update pages of the
 * IMS API Reference (extension and native OpenStack).
 *
 * All operations are checked before any is applied: a rejected request changes nothing.
 */
import { glanceNotFound, img, ImsError } from "./errors";
import type { Image } from "./model";
import { ownedImage, visibleImage } from "./access";
import { checkEnterpriseProject, DEFAULT_ENTERPRISE_PROJECT, setEnterpriseProject } from "./enterprise-projects";
import { checkDescription, checkName } from "./rules";
import { SUPPORT_ATTRIBUTES } from "./views";
import { overwrite, type Caller, type World } from "./world";

export interface PatchOp {
  op: "add" | "replace" | "remove";
  attribute: string;
  value?: string;
}

/** Attributes the extension PATCH may change, besides custom lower-case ones. */
const EXTENSION_ATTRIBUTES = new Set([
  "name",
  "__description",
  "min_ram",
  "max_ram",
  "hw_firmware_type",
  "hw_vif_multiqueue_enabled",
  "enterprise_project_id",
  "__is_config_init",
  ...SUPPORT_ATTRIBUTES,
  "__support_fc_inject",
  "__support_amd",
  "__support_kvm_hi1822_hisriov",
  "__support_kvm_hi1822_hivirtionet",
]);

/** Attributes the service keeps to itself; a patch naming them is refused. */
const READ_ONLY = new Set([
  "id",
  "status",
  "owner",
  "visibility",
  "protected",
  "created_at",
  "updated_at",
  "active_at",
  "self",
  "file",
  "schema",
  "checksum",
  "size",
  "virtual_size",
  "container_format",
  "disk_format",
  "min_disk",
  "tags",
  "virtual_env_type",
  "__imagetype",
  "__isregistered",
  "__image_size",
  "__os_version",
  "__os_type",
  "__os_bit",
  "__platform",
  "__originalimagename",
  "__backup_id",
  "__data_origin",
  "__root_origin",
  "__whole_image",
  "__system__cmkid",
  "__image_source_type",
]);

const CUSTOM_NAME = /^[a-z0-9_][a-z0-9_:.-]{0,254}$/;

/** Reads a JSON-patch body: `[{op, path, value}]` (v2.1) or `[{replace: path, value}]` (v2.0). */
export function readPatch(body: unknown, dialect: "v2.1" | "v2.0"): PatchOp[] {
  if (body === undefined) throw img("0007");
  if (!Array.isArray(body) || body.length === 0) throw img("0001", "The body must be a non-empty JSON-patch array.");
  return body.map((raw, index): PatchOp => {
    if (raw === null || typeof raw !== "object" || Array.isArray(raw)) throw img("0001", `Patch operation ${index} is not an object.`);
    const item = raw as Record<string, unknown>;
    let op: unknown;
    let path: unknown;
    if (dialect === "v2.0") {
      const keys = (["add", "replace", "remove"] as const).filter((k) => k in item);
      if (keys.length !== 1) throw img("0001", `Patch operation ${index} must have exactly one of add, replace or remove.`);
      op = keys[0];
      path = item[keys[0]];
    } else {
      op = item.op;
      path = item.path;
    }
    if (op !== "add" && op !== "replace" && op !== "remove") throw img("0001", `Patch operation ${index} has an unknown op.`);
    if (typeof path !== "string" || !/^\/[^/]+$/.test(path)) throw img("0001", `Patch operation ${index} has an invalid path.`);
    const value = item.value;
    if (op !== "remove") {
      if (value === undefined || value === null) throw img("0001", `Patch operation ${index} needs a value.`);
      if (typeof value !== "string" && typeof value !== "number" && typeof value !== "boolean") {
        throw img("0001", `Patch operation ${index} has a value that is not a string.`);
      }
    }
    return { op, attribute: path.slice(1), ...(op !== "remove" ? { value: String(value) } : {}) };
  });
}

function current(image: Image, attribute: string): string | undefined {
  switch (attribute) {
    case "name":
      return image.name;
    case "__description":
      return image.description === "" ? undefined : image.description;
    case "min_ram":
      return String(image.minRam);
    case "max_ram":
      return image.maxRam === undefined ? undefined : String(image.maxRam);
    case "enterprise_project_id":
      return image.properties.enterprise_project_id ?? DEFAULT_ENTERPRISE_PROJECT;
    default:
      return Object.hasOwn(image.properties, attribute) ? image.properties[attribute] : undefined;
  }
}

function ramValue(value: string, attribute: string): number {
  if (!/^\d{1,7}$/.test(value) || Number(value) > 1_048_576) throw img("0055", `${attribute} must be a number of MB from 0 to 1048576.`);
  return Number(value);
}

/** Validates one operation against the image as it would be after the previous ones. */
function plan(world: World, caller: Caller, image: Image, op: PatchOp, allowed: (attribute: string) => boolean): (target: Image) => void {
  const { attribute } = op;
  if (READ_ONLY.has(attribute) || !allowed(attribute)) {
    throw img("0001", `The attribute ${attribute} cannot be changed.`);
  }
  const exists = current(image, attribute) !== undefined;
  if ((op.op === "replace" || op.op === "remove") && !exists) {
    throw new ImsError("IMG.0035", `The attribute ${attribute} does not exist: use op add to set it.`);
  }
  if (op.op === "remove") {
    if (attribute === "name" || attribute === "min_ram") throw img("0001", `The attribute ${attribute} cannot be removed.`);
    if (attribute === "enterprise_project_id") {
      throw img("0001", "An image always belongs to an enterprise project: replace enterprise_project_id with 0 to move it to the default one.");
    }
    return (target) => {
      if (attribute === "__description") target.description = "";
      else if (attribute === "max_ram") delete target.maxRam;
      else delete target.properties[attribute];
    };
  }
  const value = op.value!;
  switch (attribute) {
    case "name": {
      const name = checkName(value);
      return (target) => void (target.name = name);
    }
    case "__description": {
      const description = checkDescription(value);
      return (target) => void (target.description = description);
    }
    case "min_ram": {
      const ram = ramValue(value, attribute);
      return (target) => void (target.minRam = ram);
    }
    case "max_ram": {
      const ram = ramValue(value, attribute);
      return (target) => void (target.maxRam = ram);
    }
    case "enterprise_project_id": {
      // Moves the image into another enterprise project of its account (IMS API Reference, Updating Image Information).
      const enterpriseProject = checkEnterpriseProject(world, caller, value);
      return (target) => setEnterpriseProject(target, enterpriseProject);
    }
    case "hw_firmware_type":
      if (value !== "bios" && value !== "uefi") throw img("0141");
      return (target) => void (target.properties[attribute] = value);
    default:
      if (value.length > 255) throw img("0001", `The value of ${attribute} is longer than 255 characters.`);
      return (target) => void (target.properties[attribute] = value);
  }
}

function applyAll(world: World, caller: Caller, image: Image, ops: PatchOp[], allowed: (attribute: string) => boolean): Image {
  const draft: Image = structuredClone(image);
  for (const op of ops) plan(world, caller, draft, op, allowed)(draft);
  if (draft.maxRam !== undefined && draft.maxRam !== 0 && draft.maxRam < draft.minRam) {
    throw img("0055", `max_ram (${draft.maxRam}) is below min_ram (${draft.minRam}).`);
  }
  draft.updatedAt = world.now();
  overwrite(image, draft);
  world.imageChanged(image);
  return image;
}

const isCustom = (attribute: string): boolean => CUSTOM_NAME.test(attribute) && !attribute.startsWith("__");

/** `PATCH /v2/cloudimages/{image_id}`: the owner's active image. */
export function updateImage(world: World, caller: Caller, imageId: string, body: unknown): Image {
  const ops = readPatch(body, "v2.1");
  const image = ownedImage(world, caller, imageId);
  if (image.status !== "active") throw img("0046");
  return applyAll(world, caller, image, ops, (a) => EXTENSION_ATTRIBUTES.has(a) || isCustom(a));
}

/** `PATCH /v2/images/{image_id}`: name, description and custom attributes, also on queued images. */
export function updateImageNative(world: World, caller: Caller, imageId: string, body: unknown, dialect: "v2.1" | "v2.0"): Image {
  const ops = readPatch(body, dialect);
  const image = visibleImage(world, caller, imageId);
  if (!image) throw glanceNotFound(imageId);
  if (image.imagetype === "gold" || image.owner !== caller.project.id) {
    throw new ImsError("IMG.0106", "The image owner is another tenant.", 403);
  }
  if (ops.some((op) => op.attribute === "enterprise_project_id")) {
    throw img("0001", "The Glance-compatible PATCH changes only name, description and custom attributes: move an image to another enterprise project with PATCH /v2/cloudimages/{image_id}.");
  }
  return applyAll(world, caller, image, ops, (a) => a === "name" || a === "__description" || isCustom(a));
}
