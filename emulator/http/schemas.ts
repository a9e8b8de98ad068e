/** The JSON schemas of `GET /v2/schemas/*` (IMS API Reference, Native OpenStack APIs: schemas), in the upstream Glance style. */

const str = (extra: Record<string, unknown> = {}) => ({ type: "string", ...extra });
const UUID = "^([0-9a-fA-F]){8}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){12}$";

const image = {
  additionalProperties: { type: "string" },
  name: "image",
  links: [
    { href: "{self}", rel: "self" },
    { href: "{file}", rel: "enclosure" },
    { href: "{schema}", rel: "describedby" },
  ],
  properties: {
    status: str({ enum: ["queued", "saving", "active", "killed", "deleted", "pending_delete"], description: "Status of the image (READ-ONLY)" }),
    tags: { type: "array", items: str({ maxLength: 255 }), description: "List of strings related to the image" },
    kernel_id: { type: ["null", "string"], pattern: UUID, description: "ID of image stored in Glance that should be used as the kernel" },
    container_format: str({ enum: ["ami", "ari", "aki", "bare", "ovf", "ova"], description: "Format of the container" }),
    min_ram: { type: "integer", description: "Amount of ram (in MB) required to boot image." },
    ramdisk_id: { type: ["null", "string"], pattern: UUID, description: "ID of image stored in Glance that should be used as the ramdisk" },
    locations: { type: "array", items: { type: "object", properties: { url: str({ maxLength: 255 }), metadata: { type: "object" } }, required: ["url", "metadata"] } },
    visibility: str({ enum: ["public", "private"], description: "Scope of image accessibility" }),
    updated_at: str({ description: "Date and time of the last image modification (READ-ONLY)" }),
    owner: { type: ["null", "string"], maxLength: 255, description: "Owner of the image" },
    file: str({ description: "(READ-ONLY)" }),
    min_disk: { type: "integer", description: "Amount of disk space (in GB) required to boot image." },
    virtual_size: { type: ["null", "integer"], description: "Virtual size of image in bytes (READ-ONLY)" },
    id: str({ pattern: UUID, description: "An identifier for the image" }),
    size: { type: ["null", "integer"], description: "Size of image file in bytes (READ-ONLY)" },
    instance_uuid: str({ description: "ID of instance used to create this image." }),
    os_distro: str({ description: "Common name of operating system distribution" }),
    name: { type: ["null", "string"], maxLength: 255, description: "Descriptive name for the image" },
    checksum: { type: ["null", "string"], maxLength: 32, description: "md5 hash of image contents. (READ-ONLY)" },
    created_at: str({ description: "Date and time of image registration (READ-ONLY)" }),
    disk_format: str({ enum: ["ami", "ari", "aki", "vhd", "vmdk", "raw", "qcow2", "vdi", "iso"], description: "Format of the disk" }),
    os_version: str({ description: "Operating system version as specified by the distributor" }),
    protected: { type: "boolean", description: "If true, image will not be deletable." },
    architecture: str({ description: "Operating system architecture" }),
    direct_url: str({ description: "URL to access the image file kept in external store (READ-ONLY)" }),
    self: str({ description: "(READ-ONLY)" }),
    schema: str({ description: "(READ-ONLY)" }),
  },
};

const member = {
  name: "member",
  properties: {
    status: str({ enum: ["pending", "accepted", "rejected"], description: "The status of this image member" }),
    created_at: str({ description: "Date and time of image member creation" }),
    updated_at: str({ description: "Date and time of last modification of image member" }),
    image_id: str({ pattern: UUID, description: "An identifier for the image" }),
    member_id: str({ description: "An identifier for the image member (tenantId)" }),
    schema: { readOnly: true, type: "string" },
  },
};

export const GLANCE_SCHEMAS: Record<string, unknown> = {
  image,
  images: {
    name: "images",
    links: [
      { href: "{first}", rel: "first" },
      { href: "{next}", rel: "next" },
      { href: "{schema}", rel: "describedby" },
    ],
    properties: {
      images: { items: image, type: "array" },
      schema: { type: "string" },
      next: { type: "string" },
      first: { type: "string" },
    },
  },
  member,
  members: {
    name: "members",
    links: [{ href: "{schema}", rel: "describedby" }],
    properties: { members: { items: member, type: "array" }, schema: { type: "string" } },
  },
};
