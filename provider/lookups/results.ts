/**
 * What the lookups return: the service's answers made plain, JSON-clean objects (no undefined, no
 * `__`-prefixed names), with the units in the names. Attribute meanings: Huawei Cloud IMS API
 * reference, "Image Attributes" and "Values of Related Parameters"; the OS list: "Querying the
 * List of OS Versions Supported by IMS"; the quota: "Querying the Image Quota".
 */
import type { Image } from "../client";
import type { ImagesApi } from "../client/images";

/** The service calls public images `gold`; the lookups call them `public`, as the console does. */
export const serviceImageType = (imageType: string): string => (imageType === "public" ? "gold" : imageType);
const imageTypeOf = (serviceType: string | undefined): string => (serviceType === "gold" ? "public" : (serviceType ?? ""));

/**
 * The tags of an image object: `key=value` strings, or `key.value` for tags made in the legacy format,
 * or a bare key (value ""). Tag keys hold only letters, digits, `_` and `-` ("Image Tag Format"), so a
 * `.` without a `=` can only be the legacy separator.
 */
export function parseTags(tags: readonly string[] | undefined): Record<string, string> {
  // fromEntries makes own properties of every key, `__proto__` included (a valid tag key).
  return Object.fromEntries(
    (tags ?? []).map((tag) => {
      const at = tag.includes("=") ? tag.indexOf("=") : tag.indexOf(".");
      return at < 0 ? [tag, ""] : [tag.slice(0, at), tag.slice(at + 1)];
    }),
  );
}

/** A number of an image object (some are strings there), or 0 when absent or not a number. */
function numberOf(value: unknown): number {
  const n = typeof value === "number" ? value : typeof value === "string" && value.trim() !== "" ? Number(value) : NaN;
  return Number.isFinite(n) ? n : 0;
}

/**
 * `x86` or `arm`: the image's `architecture` when the service gives it, else from `__support_arm`
 * (`"true"` for Arm images; absent or `"false"` on x86 images).
 */
function architectureOf(image: Record<string, unknown>): string {
  if (image.architecture === "x86" || image.architecture === "arm") return image.architecture;
  return image.__support_arm === "true" || image.__support_arm === true ? "arm" : "x86";
}

/** One image as the lookups return it; `region` is where it was looked up. */
export function imageInfo(image: Image, region: string) {
  const raw = image as Record<string, unknown>;
  return {
    id: image.id,
    name: image.name,
    region,
    owner: image.owner ?? "",
    status: image.status,
    imageType: imageTypeOf(image.__imagetype),
    visibility: image.visibility ?? "",
    description: image.__description ?? "",
    tags: parseTags(image.tags),
    createdAt: image.created_at ?? "",
    updatedAt: image.updated_at ?? "",
    osVersion: image.__os_version ?? "",
    osType: image.__os_type ?? "",
    osBit: numberOf(image.__os_bit),
    platform: image.__platform ?? "",
    architecture: architectureOf(raw),
    firmware: image.hw_firmware_type ?? "",
    virtualEnvType: image.virtual_env_type ?? "",
    diskFormat: image.disk_format ?? "",
    minDisk: numberOf(image.min_disk),
    minRam: numberOf(image.min_ram),
    maxRam: numberOf(image.max_ram),
    sizeBytes: numberOf(image.__image_size),
    protected: image.protected === true,
    wholeImage: image.__whole_image === true || image.__whole_image === "true",
    cmkId: image.__system__cmkid ?? "",
  };
}

export type ImageInfo = ReturnType<typeof imageInfo>;

type OsVersionGroups = Awaited<ReturnType<ImagesApi["osVersions"]>>;

/** The OS versions of an E9 answer (groups by platform), flattened in the service's order. */
export function osVersionInfos(groups: OsVersionGroups) {
  return groups.flatMap((group) =>
    group.version_list.map((v) => ({ platform: v.platform || group.platform, osVersion: v.os_version, osType: v.os_type, osBit: v.os_bit })),
  );
}

export type OsVersionInfo = ReturnType<typeof osVersionInfos>[number];

type QuotaResources = Awaited<ReturnType<ImagesApi["quota"]>>;

/** The private-image quota (type `image`) of an E17 answer, or undefined when the answer has none. */
export function imageQuota(resources: QuotaResources): { used: number; quota: number; min: number; max: number } | undefined {
  const image = resources.find((r) => r.type === "image");
  return image && { used: image.used, quota: image.quota, min: image.min, max: image.max };
}
