/**
 * Fuzzing every service route of the emulator (all of ROUTES outside /_emulator) with a few
 * thousand random and mutated requests: random methods, malformed JSON, wrong types, huge and
 * odd strings, unknown enum values, missing fields, arrays for objects, bad JSON-patch
 * operations, random query strings, bad tokens and signatures, no credentials at all.
 *
 * It starts from a valid example request per route, first putting odd strings (non-Latin,
 * emoji, control characters, lone surrogates) into every string field, then applying one to
 * three random mutations; every successful change is read back through the image views, and
 * the world is restored to its fixture state every RESTORE_EVERY requests.
 *
 * Whatever it sends, the emulator must answer, never with a 5xx, every 4xx body must be one of
 * the three documented error shapes (IMS, API gateway, IAM), and a rejected request (and any GET or
 * HEAD) must leave the world exactly as it was. The job clock is paused while fuzzing so only
 * requests change the world.
 *
 * The generator is seeded: FUZZ_SEED=<n> replays a run; every failure message names the seed.
 */
import { createHmac, randomUUID } from "node:crypto";
import { Agent, request as httpRequest, type IncomingHttpHeaders } from "node:http";
import { createConnection } from "node:net";
import { makeQcow2 } from "../../emulator/domain/disk-format";
import { ROUTES } from "../../emulator/http/server";
import { signForTest, startTestEmulator, type TestEmulator } from "../helpers/emulator";

const MAX_REQUESTS = 6000;
const BUDGET_MS = 20_000;
const RESTORE_EVERY = 150;
const SEED = process.env.FUZZ_SEED !== undefined ? Number(process.env.FUZZ_SEED) >>> 0 : (Date.now() ^ (process.pid << 16)) >>> 0;

/** mulberry32: a small, fast, seedable generator. */
class Rng {
  constructor(private state: number) {}
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }
  weighted<T>(items: readonly (readonly [T, number])[]): T {
    const total = items.reduce((n, [, w]) => n + w, 0);
    let x = this.next() * total;
    for (const [item, w] of items) {
      x -= w;
      if (x < 0) return item;
    }
    return items[items.length - 1][0];
  }
  hex(n: number): string {
    let s = "";
    for (let i = 0; i < n; i++) s += "0123456789abcdef"[this.int(16)];
    return s;
  }
  uuid(): string {
    const h = this.hex(32);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20)}`;
  }
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [items[i], items[j]] = [items[j], items[i]];
    }
    return items;
  }
}

type Who = "p1" | "p2" | "p3" | "none";

/** A request that the route would accept (before mutation). */
interface Example {
  as: Who;
  params?: Record<string, string>;
  query?: [string, string][];
  body?: unknown;
  raw?: Buffer;
  contentType?: string;
}

interface Fixture {
  p1: string;
  p2: string;
  p3: string;
  domain: string;
  own: string;
  sharedAccepted: string;
  sharedPending: string;
  whole: string;
  queued: string;
  p2own: string;
  remote: string;
  gold: string;
  jobP1: string;
  jobP2: string;
  server: string;
  spareVolume: string;
  dataVolume: string;
  spareBackup: string;
}

/** The request as sent, for failure reports. */
interface Sent {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
  note: string;
  /** The project whose credentials the request was built with. */
  caller: Exclude<Who, "none">;
  /** The image the path names, if any. */
  imageId?: string;
}

type Route = (typeof ROUTES)[number];

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
}

const UBUNTU = "images-bucket:ubuntu-24.04.qcow2";
const VHD = "images-bucket:data-disk.vhd";
const RAW = "images-bucket:raw-disk.raw";
const OS = "Ubuntu 24.04 server 64bit";
const PROTO = "__fuzz_proto__";

const tokenBody = (scope: Record<string, string>) => ({
  auth: {
    identity: { methods: ["password"], password: { user: { name: "ims-user", password: "ims-emulator-password", domain: { name: "ims-emulator" } } } },
    scope: { project: scope },
  },
});

/** Valid requests per route ("METHOD /template"); routes without one get pooled ids and `{}`. */
function examples(f: Fixture): Record<string, Example[]> {
  const fileBody = {
    name: "fz-file",
    image_url: UBUNTU,
    min_disk: 40,
    os_version: OS,
    description: "fuzz image",
    type: "ECS",
    architecture: "x86",
    hw_firmware_type: "bios",
    os_type: "Linux",
    is_config: true,
    is_quick_import: false,
    min_ram: 1024,
    max_ram: 4096,
    image_tags: [{ key: "a", value: "b" }],
    enterprise_project_id: "0",
    data_images: [{ image_url: VHD, min_disk: 40, name: "fz-data", description: "d", image_tags: [{ key: "c", value: "d" }] }],
  };
  const create: Example[] = [
    { as: "p1", body: fileBody },
    { as: "p1", body: { name: "fz-legacy", image_url: UBUNTU, min_disk: 40, tags: ["a.b", "c"], cmk_id: randomUUID() } },
    { as: "p1", body: { name: "fz-ecs", instance_id: f.server, description: "", min_ram: 0, max_ram: 0, image_tags: [{ key: "k", value: "v" }] } },
    { as: "p1", body: { name: "fz-vol", volume_id: f.spareVolume, os_version: "Ubuntu 22.04 server 64bit", type: "ECS" } },
    { as: "p1", body: { data_images: [{ name: "fz-dv", volume_id: f.dataVolume, description: "" }], enterprise_project_id: "0" } },
  ];
  const patch = [
    { op: "replace", path: "/name", value: "fz-renamed" },
    { op: "add", path: "/__description", value: "described" },
    { op: "add", path: "/custom_attr", value: "v" },
    { op: "replace", path: "/min_ram", value: 1024 },
    { op: "add", path: "/max_ram", value: "4096" },
    { op: "add", path: "/hw_firmware_type", value: "uefi" },
  ];
  return {
    "POST /v3/auth/tokens": [
      { as: "none", body: tokenBody({ name: "ap-southeast-1" }) },
      { as: "none", body: tokenBody({ id: f.p2 }), query: [["nocatalog", "true"]] },
    ],
    "GET /v3/projects": [{ as: "p1", query: [["name", "ap-southeast-1"]] }, { as: "p2" }],
    "GET /v3/auth/projects": [{ as: "p1" }],
    "POST /v3.0/OS-CREDENTIAL/securitytokens": [{ as: "p1", body: { auth: { identity: { methods: ["token"], token: { duration_seconds: 900 } } } } }],
    "GET /v2/cloudimages": [
      { as: "p1", query: [["__imagetype", "private"], ["status", "active"], ["limit", "2"], ["sort_key", "name"], ["sort_dir", "asc"]] },
      { as: "p2", query: [["__imagetype", "shared"], ["member_status", "pending"], ["visibility", "shared"]] },
      { as: "p1", query: [["id", f.own], ["tag", "env=prod"], ["created_at", "gt:2020-01-01T00:00:00Z"], ["protected", "false"]] },
      { as: "p1", query: [["marker", f.own], ["limit", "1"], ["architecture", "x86"], ["min_disk", "40"]] },
    ],
    "PATCH /v2/cloudimages/{image_id}": [
      { as: "p1", params: { image_id: f.own }, body: patch.slice(0, 4) },
      { as: "p1", params: { image_id: f.own }, body: patch.slice(4) },
    ],
    "POST /v2/cloudimages/action": create,
    "POST /v2.1/cloudimages/action": create,
    "POST /v2/cloudimages/quickimport/action": [
      { as: "p1", body: { name: "fz-quick", image_url: RAW, min_disk: 40, os_version: OS, type: "ECS" } },
      { as: "p1", body: { name: "fz-quick-data", image_url: RAW, min_disk: 40, type: "DataImage", os_type: "Linux" } },
    ],
    "POST /v2.1/cloudimages/quickimport/action": [{ as: "p1", body: { name: "fz-quick", image_url: RAW, min_disk: 40, os_version: OS } }],
    "POST /v1/cloudimages/dataimages/action": [
      { as: "p1", body: { name: "fz-dataimg", image_url: VHD, min_disk: 40, os_type: "Linux", description: "d", image_tags: [{ key: "k", value: "v" }] } },
    ],
    "POST /v2.1/cloudimages/dataimages/action": [{ as: "p1", body: { name: "fz-dataimg", image_url: VHD, min_disk: 40 } }],
    "POST /v1/cloudimages/wholeimages/action": [
      { as: "p1", body: { name: "fz-whole", backup_id: f.spareBackup, whole_image_type: "CBR", description: "w", min_ram: 512 } },
      { as: "p1", body: { name: "fz-whole-ecs", instance_id: f.server } },
    ],
    "PUT /v1/cloudimages/{image_id}/upload": [{ as: "p1", params: { image_id: f.queued }, body: { image_url: UBUNTU } }],
    "POST /v1/cloudimages/{image_id}/file": [
      { as: "p1", params: { image_id: f.own }, body: { bucket_url: "images-bucket:exports/fz.qcow2", file_format: "qcow2" } },
      { as: "p1", params: { image_id: f.own }, body: { bucket_url: "images-bucket:exports/fz-quick", is_quick_export: true } },
    ],
    "POST /v2.1/cloudimages/{image_id}/file": [{ as: "p1", params: { image_id: f.own }, body: { bucket_url: "images-bucket:exports/fz.vhd", file_format: "vhd" } }],
    "GET /v1/cloudimages/os_version": [{ as: "p1", query: [["tag", "uefi"], ["tag", "x86"]] }, { as: "p2" }],
    "POST /v1/cloudimages/members": [
      { as: "p1", body: { images: [f.own], projects: [f.p2] } },
      { as: "p1", body: { images: [f.own, f.sharedAccepted], domains: [f.domain] } },
    ],
    "DELETE /v1/cloudimages/members": [{ as: "p1", body: { images: [f.sharedAccepted], projects: [f.p2] } }],
    "PUT /v1/cloudimages/members": [
      { as: "p2", body: { images: [f.sharedPending], project_id: f.p2, status: "accepted" } },
      { as: "p2", body: { images: [f.sharedAccepted], project_id: f.p2, status: "rejected", vault_id: randomUUID() } },
    ],
    "GET /v1/{project_id}/cloudimages/{image_id}/members": [
      { as: "p1", params: { project_id: f.p1, image_id: f.sharedAccepted }, query: [["limit", "1"]] },
      { as: "p2", params: { project_id: f.p2, image_id: f.sharedAccepted } },
    ],
    "GET /v1/{project_id}/cloudimages/{image_id}/members/{member_id}": [
      { as: "p1", params: { project_id: f.p1, image_id: f.sharedAccepted, member_id: f.p2 } },
      { as: "p2", params: { project_id: f.p2, image_id: f.sharedPending, member_id: f.p2 } },
    ],
    "POST /v1/cloudimages/{image_id}/copy": [
      { as: "p1", params: { image_id: f.own }, body: { name: "fz-copy", description: "c", cmk_id: randomUUID(), enterprise_project_id: "0" } },
      { as: "p2", params: { image_id: f.sharedAccepted }, body: { name: "fz-copy-shared" } },
    ],
    "POST /v2.1/cloudimages/{image_id}/copy": [{ as: "p1", params: { image_id: f.own }, body: { name: "fz-copy" } }],
    "POST /v1/cloudimages/{image_id}/cross_region_copy": [
      { as: "p1", params: { image_id: f.own }, body: { name: "fz-xr", description: "", region: "ap-southeast-3", project_name: "ap-southeast-3", agency_name: "ims_admin_agency" } },
    ],
    "GET /v1/cloudimages/quota": [{ as: "p1" }],
    "GET /v1/{project_id}/jobs/{job_id}": [
      { as: "p1", params: { project_id: f.p1, job_id: f.jobP1 } },
      { as: "p2", params: { project_id: f.p2, job_id: f.jobP2 } },
    ],
    "GET /v1/cloudimages/job/{job_id}": [{ as: "p1", params: { job_id: f.jobP1 } }],
    "PUT /v1/cloudimages/tags": [
      { as: "p1", body: { image_id: f.own, tag: "k.v" } },
      { as: "p1", body: { image_id: f.own, image_tag: { key: "k", value: "v" } } },
    ],
    "GET /v1/cloudimages/tags": [{ as: "p1", query: [["limit", "5"], ["page", "1"], ["__imagetype", "private"]] }],
    "GET /v2/{project_id}/images/tags": [{ as: "p1", params: { project_id: f.p1 } }],
    "POST /v2/{project_id}/images/resource_instances/action": [
      {
        as: "p1",
        params: { project_id: f.p1 },
        body: {
          action: "filter",
          tags: [{ key: "env", values: ["prod"] }],
          tags_any: [{ key: "team", values: [] }],
          not_tags: [{ key: "x", values: ["y"] }],
          not_tags_any: [{ key: "z", values: [] }],
          limit: "10",
          offset: "0",
          matches: [{ key: "resource_name", value: "fz" }],
        },
      },
      { as: "p1", params: { project_id: f.p1 }, body: { action: "count", without_any_tag: true } },
    ],
    "POST /v2/{project_id}/images/{image_id}/tags/action": [
      { as: "p1", params: { project_id: f.p1, image_id: f.own }, body: { action: "create", tags: [{ key: "k1", value: "v1" }] } },
      { as: "p1", params: { project_id: f.p1, image_id: f.own }, body: { action: "delete", tags: [{ key: "env", value: "prod" }] } },
    ],
    "POST /v2/{project_id}/images/{image_id}/tags": [{ as: "p1", params: { project_id: f.p1, image_id: f.own }, body: { tag: { key: "k2", value: "v2" } } }],
    "GET /v2/{project_id}/images/{image_id}/tags": [{ as: "p1", params: { project_id: f.p1, image_id: f.own } }],
    "DELETE /v2/{project_id}/images/{image_id}/tags/{key}": [{ as: "p1", params: { project_id: f.p1, image_id: f.own, key: "env" } }],
    "DELETE /v1/{project_id}/cloudimages/{image_id}/tags/delete": [{ as: "p1", params: { project_id: f.p1, image_id: f.own }, body: { tags: [{ key: "env" }] } }],
    "GET /": [{ as: "none" }],
    "GET /{version}": [{ as: "none", params: { version: "v2" } }, { as: "none", params: { version: "v1.1" } }, { as: "none", params: { version: "v3" } }],
    "GET /v2/images": [
      { as: "p1", query: [["limit", "2"], ["sort_key", "name"], ["sort_dir", "asc"], ["visibility", "private"], ["status", "active"]] },
      { as: "p2", query: [["member_status", "accepted"], ["visibility", "shared"], ["marker", f.sharedAccepted]] },
    ],
    "POST /v2/images": [
      {
        as: "p1",
        body: { name: "fz-meta", disk_format: "qcow2", container_format: "bare", min_disk: 40, min_ram: 1024, __os_version: "Ubuntu 22.04 server 64bit", tags: ["a", "b=c"], visibility: "private", protected: false },
      },
    ],
    "GET /v2/images/{image_id}": [
      { as: "p1", params: { image_id: f.own } },
      { as: "p2", params: { image_id: f.sharedAccepted } },
      { as: "p1", params: { image_id: f.gold } },
    ],
    "PATCH /v2/images/{image_id}": [
      { as: "p1", params: { image_id: f.own }, body: [{ op: "replace", path: "/name", value: "fz-native" }, { op: "add", path: "/custom_key", value: "1" }], contentType: "application/openstack-images-v2.1-json-patch" },
      { as: "p1", params: { image_id: f.queued }, body: [{ replace: "/name", value: "fz-native" }], contentType: "application/openstack-images-v2.0-json-patch" },
    ],
    "DELETE /v2/images/{image_id}": [
      { as: "p1", params: { image_id: f.own } },
      { as: "p1", params: { image_id: f.whole }, body: { delete_backup: true } },
    ],
    "PUT /v2/images/{image_id}/file": [{ as: "p1", params: { image_id: f.queued }, raw: makeQcow2(10), contentType: "application/octet-stream" }],
    "GET /v2/images/{image_id}/file": [{ as: "p1", params: { image_id: f.own } }],
    "POST /v2/images/{image_id}/members": [{ as: "p1", params: { image_id: f.own }, body: { member: f.p2 } }],
    "GET /v2/images/{image_id}/members": [
      { as: "p1", params: { image_id: f.sharedAccepted } },
      { as: "p2", params: { image_id: f.sharedPending } },
    ],
    "GET /v2/images/{image_id}/members/{member_id}": [{ as: "p1", params: { image_id: f.sharedAccepted, member_id: f.p2 } }],
    "PUT /v2/images/{image_id}/members/{member_id}": [
      { as: "p2", params: { image_id: f.sharedPending, member_id: f.p2 }, body: { status: "accepted", vault_id: randomUUID() } },
      { as: "p2", params: { image_id: f.sharedAccepted, member_id: f.p2 }, body: { status: "rejected" } },
    ],
    "DELETE /v2/images/{image_id}/members/{member_id}": [{ as: "p1", params: { image_id: f.sharedAccepted, member_id: f.p2 } }],
    "PUT /v2/images/{image_id}/tags/{tag}": [{ as: "p1", params: { image_id: f.own, tag: "fztag" } }],
    "DELETE /v2/images/{image_id}/tags/{tag}": [{ as: "p1", params: { image_id: f.own, tag: "env" } }],
    "HEAD /v1/images/{image_id}": [
      { as: "p1", params: { image_id: f.own } },
      { as: "p1", params: { image_id: f.gold } },
    ],
    "GET /v1.1/images/detail": [
      { as: "p1", query: [["name", "fz-own"], ["status", "active"], ["size_min", "0"], ["size_max", "99999999"], ["changes-since", "2020-01-01T00:00:00Z"], ["disk_format", "qcow2"]] },
    ],
    "DELETE /v1.1/images/{image_id}": [{ as: "p1", params: { image_id: f.own } }],
  };
}

// ---------------------------------------------------------------------------------------------
// Random values and mutations

const UNICODE = ["镜像名称", "образ", "ímägé", "🚀🔥", "\u202e\u202d", "\ufeff", "\ud800", "a\u0000b", "名前-イメージ_1"];
const CONTROL = ["line\nbreak", "tab\there", "cr\rlf\n", "\u0007bell", "nul\u0000", "\u001b[31m", "x\u007f"];
const JUNK = ["", " ", "null", "undefined", "0", "-1", "1e309", "NaN", "true", "%", "%zz", "%00", "..", ".", "__proto__", "constructor", "prototype", "<script>alert(1)</script>", "' OR 1=1 --", "a/b", "?x=1", "#frag", "\\", "${x}", "{{7*7}}"];
const ODD_STRINGS = ["镜像名称", "名前-イメージ_1", "🚀ímägé", "line\nbreak", "tab\there", "a\u0000b\u0007", "\ud800", "\u202e", " "];
const ENUMISH = ["NOT_A_VALUE", "ecs", "Ecs", "ACTIVE", "active ", "gold", "private", "shared", "uefi", "BIOS", "arm64", "Windows", "DataImage", "IsoImage", "CSBS", "accepted", "PENDING", "filter", "count"];

function randomString(rng: Rng): string {
  switch (rng.int(9)) {
    case 0:
      return rng.pick(JUNK);
    case 1:
      return rng.pick(UNICODE);
    case 2:
      return rng.pick(CONTROL);
    case 3:
      return rng.pick(ENUMISH);
    case 4:
      return "x".repeat(rng.pick([129, 256, 1025, 4096]));
    case 5:
      return rng.pick(["a", "é", "镜"]).repeat(rng.chance(0.1) ? 300_000 : rng.pick([30, 128, 20_000]));
    case 6:
      return rng.hex(32);
    case 7:
      return rng.uuid();
    default:
      return `fz-${rng.hex(6)}`;
  }
}

function randomValue(rng: Rng, depth = 0): unknown {
  switch (rng.int(depth > 2 ? 8 : 12)) {
    case 0:
      return null;
    case 1:
      return rng.chance(0.5);
    case 2:
      return rng.pick([0, -1, 1, 1.5, -0.5, 40, 1024, 2049, 1e308, -1e308, 2 ** 53 + 1, 1_048_577]);
    case 3:
    case 4:
    case 5:
      return randomString(rng);
    case 6:
      return String(rng.pick([0, 40, -3, 1.5]));
    case 7:
      return [];
    case 8:
      return {};
    case 9:
      return Array.from({ length: rng.int(4) + 1 }, () => randomValue(rng, depth + 1));
    case 10:
      return { [rng.pick(["key", "value", "a", PROTO, "constructor"])]: randomValue(rng, depth + 1) };
    default:
      return { key: randomValue(rng, depth + 1), value: randomValue(rng, depth + 1) };
  }
}

type Path = (string | number)[];

function paths(value: unknown, prefix: Path = [], out: Path[] = []): Path[] {
  if (value !== null && typeof value === "object") {
    for (const k of Array.isArray(value) ? value.keys() : Object.keys(value)) {
      const p = [...prefix, k];
      out.push(p);
      paths((value as Record<string | number, unknown>)[k], p, out);
    }
  }
  return out;
}

/** One random change to one field somewhere in `body` (a deep copy). */
function mutateField(rng: Rng, body: unknown): { body: unknown; note: string } {
  const copy = structuredClone(body);
  const all = paths(copy);
  if (all.length === 0 || rng.chance(0.1)) {
    if (copy !== null && typeof copy === "object" && !Array.isArray(copy)) {
      const key = rng.pick(["unknown_field", PROTO, "constructor", "name", "image_url", "__imagetype", "op"]);
      (copy as Record<string, unknown>)[key] = randomValue(rng);
      return { body: copy, note: `add ${key}` };
    }
    return { body: randomValue(rng), note: "replace body" };
  }
  const path = rng.pick(all);
  const parent = path.slice(0, -1).reduce<unknown>((v, k) => (v as Record<string | number, unknown>)[k], copy) as Record<string | number, unknown>;
  const key = path[path.length - 1];
  const old = parent[key];
  const kind = rng.weighted([
    ["delete", 3],
    ["value", 6],
    ["huge", 1],
    ["enum", 2],
    ["wrap", 1],
    ["number", typeof old === "number" ? 3 : 0],
    ["stringify", typeof old === "number" || typeof old === "boolean" ? 2 : 0],
  ] as const);
  switch (kind) {
    case "delete":
      if (Array.isArray(parent)) parent.splice(key as number, 1);
      else delete parent[key];
      break;
    case "value":
      parent[key] = randomValue(rng);
      break;
    case "huge":
      parent[key] = "h".repeat(rng.pick([1_000, 70_000, 1_000_000]));
      break;
    case "enum":
      parent[key] = rng.pick(ENUMISH);
      break;
    case "wrap":
      parent[key] = rng.chance(0.5) ? [old] : { value: old };
      break;
    case "number":
      parent[key] = rng.pick([-(old as number), (old as number) + 0.5, (old as number) * 1000, 0, -1, Number.MAX_SAFE_INTEGER]);
      break;
    case "stringify":
      parent[key] = String(old);
      break;
  }
  return { body: copy, note: `${kind} ${path.join(".")}` };
}

function malformed(rng: Rng, body: unknown): { raw: Buffer; note: string } {
  const text = body === undefined ? '{"name":"x"}' : JSON.stringify(body);
  const choice = rng.int(14);
  const raw = [
    () => text.slice(0, Math.max(1, rng.int(text.length))),
    () => "{",
    () => '{"a":}',
    () => "nul",
    () => text + ",",
    () => "\ufeff" + text,
    () => text.replace(/"/g, "'"),
    () => "[".repeat(20_000) + "]".repeat(20_000),
    () => JSON.stringify(Array.from({ length: 20_000 }, (_, i) => ({ i }))),
    () => `[${text}]`,
    () => rng.pick(["null", "1", '"text"', "[]", "{}", "true", "[{}]", "-0", "1e999"]),
    () => "",
    () => text.replace("{", '{"name":1,"name":'),
    () => Buffer.from(Array.from({ length: 64 }, () => rng.int(256))).toString("latin1"),
  ][choice]();
  return { raw: Buffer.from(raw, choice === 13 ? "latin1" : "utf8"), note: `malformed body #${choice}` };
}

function randomPatch(rng: Rng): unknown[] {
  const attrs = ["/name", "/__description", "/min_ram", "/max_ram", "/hw_firmware_type", "/constructor", "/__proto__", "/custom_attr", "/status", "/id", "/tags", "/min_disk", "/__support_kvm", "name", "", "/", "/a/b", "/UPPER", "/__os_version"];
  return Array.from({ length: rng.int(4) + 1 }, () => {
    if (rng.chance(0.25)) return { [rng.pick(["add", "replace", "remove", "move"])]: rng.pick(attrs), value: randomValue(rng) };
    const op: Record<string, unknown> = { op: rng.pick(["add", "replace", "remove", "move", "copy", "test", "", "REPLACE", 1, null]), path: rng.chance(0.8) ? rng.pick(attrs) : randomValue(rng) };
    if (rng.chance(0.8)) op.value = rng.chance(0.5) ? rng.pick(["fz-name", "1024", "uefi", "bios", "x"]) : randomValue(rng);
    return op;
  });
}

const QUERY_KEYS = [
  "__imagetype", "status", "name", "id", "limit", "marker", "sort_key", "sort_dir", "visibility", "member_status", "protected", "__isregistered", "architecture",
  "enterprise_project_id", "tag", "created_at", "updated_at", "min_ram", "min_disk", "owner", "container_format", "disk_format", "__os_version",
  "virtual_env_type", "__platform", "page", "size_min", "size_max", "changes-since", "nocatalog", "offset", "flavor_id", "__support_kvm",
];
const QUERY_VALUES = ["gold", "private", "shared", "market", "active", "queued", "0", "1", "1000", "1001", "-1", "abc", "asc", "desc", "sideways", "gt:2020-01-01T00:00:00Z", "lt:bad", "eq:", "true", "false", "x86", "arm", "all_granted_eps"];

function randomQuery(rng: Rng, f: Fixture): string {
  const parts: string[] = [];
  for (let i = rng.int(4) + 1; i > 0; i--) {
    const key = rng.chance(0.9) ? rng.pick(QUERY_KEYS) : randomString(rng);
    const value = rng.weighted([
      [() => rng.pick(QUERY_VALUES), 5],
      [() => rng.pick([f.own, f.gold, f.sharedAccepted, f.p1]), 2],
      [() => randomString(rng), 3],
    ] as const)();
    parts.push(`${enc(key)}=${enc(value)}`);
  }
  if (rng.chance(0.1)) parts.push(rng.pick(["%zz=%", "&&", "=", "a", "limit=1&limit=2", "x=%E0%A4%A", "sort_key"]));
  return parts.join("&");
}

// ---------------------------------------------------------------------------------------------

/** Percent-encodes the UTF-8 bytes of `text` (lone surrogates included, which encodeURIComponent refuses). */
const enc = (text: string): string =>
  [...Buffer.from(text, "utf8")].map((b) => (/[A-Za-z0-9\-_.~]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, "0")}`)).join("");

const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];
const SDK_DATE = (d: Date): string => d.toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");

/** What is wrong with a 4xx answer's body, or undefined when it is one of the documented shapes. */
function shapeProblem(status: number, answer: Answer, path: string): string | undefined {
  if (!String(answer.headers["content-type"] ?? "").includes("application/json")) return `content-type ${String(answer.headers["content-type"])}`;
  let body: unknown;
  try {
    body = JSON.parse(answer.text);
  } catch {
    return "body is not JSON";
  }
  if (body === null || typeof body !== "object" || Array.isArray(body)) return "body is not an object";
  const keys = Object.keys(body).sort().join(",");
  const b = body as Record<string, unknown>;
  if (keys === "error_code,error_msg,request_id") {
    if (typeof b.error_code !== "string" || !/^APIG?W?\.\d{4}$/.test(b.error_code)) return `gateway error_code ${String(b.error_code)}`;
    if (typeof b.error_msg !== "string" || b.error_msg === "") return "gateway error_msg is not a non-empty string";
    if (typeof b.request_id !== "string" || !/^[0-9a-f]{32}$/.test(b.request_id)) return "gateway request_id is not 32 hex";
    if (answer.headers["x-request-id"] !== b.request_id) return "gateway request_id differs from X-Request-Id";
    return undefined;
  }
  if (keys === "error" && b.error !== null && typeof b.error === "object" && !Array.isArray(b.error)) {
    const e = b.error as Record<string, unknown>;
    const ekeys = Object.keys(e).sort().join(",");
    if (ekeys === "code,message") {
      if (typeof e.code !== "string" || !/^IMG\.\d{4}$/.test(e.code)) return `IMS code ${JSON.stringify(e.code)}`;
      if (typeof e.message !== "string" || e.message === "") return "IMS message is not a non-empty string";
      return undefined;
    }
    if (ekeys === "code,message,title") {
      if (e.code !== status) return `IAM code ${JSON.stringify(e.code)} is not the status ${status}`;
      if (typeof e.message !== "string" || typeof e.title !== "string") return "IAM message or title is not a string";
      if (!path.startsWith("/v3")) return "IAM-shaped error outside /v3";
      return undefined;
    }
  }
  return "not one of the three error shapes";
}

/** The first place where two JSON texts of the world differ, for failure reports. */
function firstDifference(before: string, after: string): string {
  const diff = (a: unknown, b: unknown, at: string): string | undefined => {
    if (JSON.stringify(a) === JSON.stringify(b)) return undefined;
    if (a && b && typeof a === "object" && typeof b === "object") {
      for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
        const d = diff((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${at}.${k}`);
        if (d) return d;
      }
    }
    return `${at}: ${JSON.stringify(a)?.slice(0, 200)} -> ${JSON.stringify(b)?.slice(0, 200)}`;
  };
  return diff(JSON.parse(before), JSON.parse(after), "world") ?? "(no difference)";
}

function describeSent(s: Sent): string {
  const body = s.body === undefined ? "" : ` body(${s.body.length}B)=${s.body.toString("utf8").slice(0, 300)}`;
  const auth = s.headers["X-Auth-Token"] ? " token" : s.headers.Authorization ? ` authorization=${s.headers.Authorization.slice(0, 120)}` : " no-credentials";
  return `${s.method} ${s.path.slice(0, 300)}${auth}${body} [${s.note}]`;
}

describe("fuzzing the service routes", () => {
  let emu: TestEmulator;
  let fixture: Fixture;
  let fixtureWorld: Buffer;
  const tokens: Record<string, string> = {};
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });

  /** Sends one request over a kept-alive socket; resolves with the answer or the error. */
  function send(s: Sent): Promise<Answer | { error: string }> {
    return new Promise((resolve) => {
      const url = new URL(emu.url);
      const headers: Record<string, string> = { ...s.headers };
      if (s.body !== undefined) headers["Content-Length"] = String(s.body.length);
      let req: ReturnType<typeof httpRequest>;
      try {
        req = httpRequest({ host: url.hostname, port: url.port, method: s.method, path: s.path, headers, agent });
      } catch (e) {
        resolve({ error: `client refused to send: ${(e as Error).message}` });
        return;
      }
      req.setTimeout(3_000, () => req.destroy(new Error("no answer within 3 s")));
      // (Errors from node:http are not `instanceof Error` inside jest's sandbox: pass messages.)
      req.on("error", (e) => resolve({ error: e.message }));
      req.on("response", (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString("utf8") }));
        res.on("error", (e) => resolve({ error: e.message }));
      });
      req.end(s.body);
    });
  }

  async function admin(method: string, path: string, body?: unknown): Promise<Answer> {
    const raw = body === undefined ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body));
    const answer = await send({ method, path, headers: raw ? { "Content-Type": "application/json" } : {}, body: raw, note: "admin", caller: "p1" });
    if ("error" in answer) throw new Error(`${method} ${path}: ${answer.error}`);
    if (answer.status >= 300) throw new Error(`${method} ${path}: ${answer.status} ${answer.text}`);
    return answer;
  }

  async function fileImage(project: string, name: string, url = UBUNTU, extra: Record<string, unknown> = {}): Promise<{ image: string; job: string }> {
    const res = await emu.as<{ job_id: string }>(project, "POST", "/v2/cloudimages/action", { body: { name, image_url: url, min_disk: 40, os_version: OS, ...extra } });
    if (res.status !== 200) throw new Error(`fixture ${name}: ${res.status} ${res.text}`);
    const job = await emu.waitJob(res.body.job_id, project);
    if (job.status !== "SUCCESS") throw new Error(`fixture ${name}: job ${JSON.stringify(job)}`);
    return { image: (job.entities as { image_id: string }).image_id, job: res.body.job_id };
  }

  beforeAll(async () => {
    emu = await startTestEmulator({ jobMs: 20 });
    const [p1, p2, p3] = ["ap-southeast-1", "ap-southeast-1_analytics", "ap-southeast-3"];
    for (const p of [p1, p2, p3]) tokens[p] = await emu.token(p);
    const state = emu.world.state;

    await admin("PUT", "/_emulator/objects/images-bucket/raw-disk.raw", Buffer.alloc(8192, 1));
    await admin("PUT", "/_emulator/objects/remote-bucket/disk.qcow2?region=ap-southeast-3", makeQcow2(10));
    const server = state.servers[0];
    const spareBackup = JSON.parse((await admin("POST", "/_emulator/backups", { serverId: server.id, kind: "CBR", name: "spare-backup" })).text) as { id: string };

    const own = await fileImage(p1, "fz-own", UBUNTU, { image_tags: [{ key: "env", value: "prod" }, { key: "team", value: "core" }], description: "own" });
    const accepted = await fileImage(p1, "fz-shared-accepted");
    const pending = await fileImage(p1, "fz-shared-pending");
    const p2own = await fileImage(p2, "fz-p2-own");
    const remote = await fileImage(p3, "fz-remote", "remote-bucket:disk.qcow2");
    const wholeJob = await emu.job(p1, "POST", "/v1/cloudimages/wholeimages/action", { name: "fz-whole", backup_id: state.backups[0].id, whole_image_type: "CBR" });
    const queued = await emu.as<{ id: string }>(p1, "POST", "/v2/images", { body: { name: "fz-queued", disk_format: "qcow2", container_format: "bare", min_disk: 40 } });
    const p2id = emu.projectId(p2);
    for (const image of [accepted.image, pending.image]) {
      const shared = await emu.as(p1, "POST", `/v2/images/${image}/members`, { body: { member: p2id } });
      if (shared.status !== 200) throw new Error(`fixture share: ${shared.status} ${shared.text}`);
    }
    const accept = await emu.as(p2, "PUT", `/v2/images/${accepted.image}/members/${p2id}`, { body: { status: "accepted" } });
    if (accept.status !== 200) throw new Error(`fixture accept: ${accept.status} ${accept.text}`);

    fixture = {
      p1: emu.projectId(p1),
      p2: p2id,
      p3: emu.projectId(p3),
      domain: state.domains[0].id,
      own: own.image,
      sharedAccepted: accepted.image,
      sharedPending: pending.image,
      whole: (wholeJob.entities as { image_id: string }).image_id,
      queued: queued.body.id,
      p2own: p2own.image,
      remote: remote.image,
      gold: state.images.find((i) => i.imagetype === "gold" && i.region === "ap-southeast-1")!.id,
      jobP1: own.job,
      jobP2: p2own.job,
      server: server.id,
      spareVolume: state.volumes.find((v) => v.name === "logs-disk")!.id,
      dataVolume: state.volumes.find((v) => v.name === "web-01-data")!.id,
      spareBackup: spareBackup.id,
    };
    // From here on only requests change the world.
    await admin("POST", "/_emulator/clock", { paused: true });
    fixtureWorld = Buffer.from((await admin("GET", "/_emulator/state")).text);
  }, 30_000);

  afterAll(async () => {
    agent.destroy();
    await emu?.close();
  });

  it("answers thousands of random requests without a 5xx, in documented error shapes, changing nothing when it refuses", async () => {
    const rng = new Rng(SEED);
    const f = fixture;
    const table = examples(f);
    const routes = ROUTES.filter((r) => !r.path.startsWith("/_emulator"));
    expect(routes.length).toBeGreaterThan(50);
    const ids = {
      image_id: [f.own, f.sharedAccepted, f.sharedPending, f.whole, f.queued, f.p2own, f.remote, f.gold],
      project_id: [f.p1, f.p2, f.p3, f.domain],
      member_id: [f.p2, f.p1, f.p3, f.domain],
      job_id: [f.jobP1, f.jobP2],
      key: ["env", "team", "k1", "missing"],
      tag: ["env", "team", "fztag", "missing"],
      version: ["v2", "v1", "v2.1", "v1.1", "v3", "v9", "images"],
    } as Record<string, string[]>;
    const projectName: Record<Exclude<Who, "none">, string> = { p1: "ap-southeast-1", p2: "ap-southeast-1_analytics", p3: "ap-southeast-3" };
    const keys: Record<string, { access: string; secret: string }> = {};
    for (const who of ["p1", "p2", "p3"] as const) keys[who] = emu.accessKey(projectName[who]);
    const tokenKey = emu.world.state.tokenKey;
    const forge = (claims: Record<string, unknown>, key: string): string => {
      const payload = Buffer.from(JSON.stringify(claims)).toString("base64url");
      return `MII${payload}.${createHmac("sha256", key).update(payload).digest("base64url")}`;
    };

    const failures: string[] = [];
    const fail = (i: number, s: Sent, what: string) => {
      if (failures.length < 25) failures.push(`seed ${SEED}, request #${i}: ${what}\n    ${describeSent(s)}`);
    };
    const reached = new Map<string, number>();
    const statuses = new Map<number, number>();
    let sent = 0;
    let readBacks = 0;
    const started = Date.now();

    const build = (route: Route, forced?: { base: Example; body: unknown; note: string }): Sent => {
      const key = `${route.method} ${route.path}`;
      const base: Example = forced?.base ?? (table[key] ? rng.pick(table[key]) : { as: "p1", body: {} });
      const notes: string[] = forced ? [forced.note] : [];
      let method = route.method;
      const params: Record<string, string> = {};
      for (const name of route.names) params[name] = base.params?.[name] ?? rng.pick(ids[name] ?? ["x"]);
      let query = (base.query ?? []).map(([k, v]) => `${enc(k)}=${enc(v)}`).join("&");
      let body: unknown = forced ? forced.body : base.body;
      let raw: Buffer | undefined = base.raw;
      let contentType = base.contentType ?? (base.body !== undefined ? "application/json;charset=UTF-8" : undefined);
      let who: Who = base.as;
      let auth: string = who === "none" ? "none" : "token";
      let suffix = "";
      const isPatch = route.method === "PATCH";

      const count = forced
        ? 0
        : rng.weighted([
            [0, 1],
            [1, 5],
            [2, 2.5],
            [3, 1.5],
          ] as const);
      for (let m = 0; m < count; m++) {
        const kind = rng.weighted([
          ["field", body !== undefined && raw === undefined ? 30 : 0],
          ["malformed", 12],
          ["patch", isPatch ? 10 : 0],
          ["param", route.names.length ? 12 : 0],
          ["query", 10],
          ["auth", 12],
          ["method", 5],
          ["content-type", 4],
          ["path", 2],
          ["who", 4],
        ] as const);
        switch (kind) {
          case "field": {
            const r = mutateField(rng, body);
            body = r.body;
            notes.push(r.note);
            break;
          }
          case "malformed": {
            const r = malformed(rng, body);
            raw = r.raw;
            notes.push(r.note);
            break;
          }
          case "patch":
            body = randomPatch(rng);
            raw = undefined;
            notes.push("random patch");
            break;
          case "param": {
            const name = rng.pick(route.names);
            params[name] = rng.chance(0.5) ? rng.pick([...(ids[name] ?? []), ...ids.image_id, ...ids.project_id]) : randomString(rng).slice(0, 2000);
            notes.push(`param ${name}`);
            break;
          }
          case "query":
            query = rng.chance(0.5) && query ? `${query}&${randomQuery(rng, f)}` : randomQuery(rng, f);
            notes.push("query");
            break;
          case "auth":
            auth = rng.pick(["none", "garbage", "foreign-key", "expired", "no-project", "aksk", "aksk", "aksk-bad-secret", "aksk-unknown", "aksk-malformed", "aksk-proto", "aksk-stale", "aksk-sha", "aksk-security-token", "aksk-project"]);
            notes.push(`auth ${auth}`);
            break;
          case "method":
            method = rng.pick(METHODS);
            notes.push(`method ${method}`);
            break;
          case "content-type":
            contentType = rng.pick([undefined, "text/plain", "application/x-www-form-urlencoded", "application/openstack-images-v2.0-json-patch", "application/openstack-images-v2.1-json-patch", "application/json"]);
            notes.push(`content-type ${String(contentType)}`);
            break;
          case "path":
            suffix = rng.pick(["/", "/extra", "//", "/..", "%2F", "?", "#x"]);
            notes.push(`path suffix ${suffix}`);
            break;
          case "who":
            who = rng.pick(["p1", "p2", "p3"]);
            if (auth === "none") auth = "token";
            notes.push(`as ${who}`);
            break;
        }
      }

      const pathText = route.path.replace(/\{(\w+)\*?\}/g, (_, name: string) => {
        const v = params[name];
        // Mostly encoded; sometimes raw when the raw text is safe to put on the request line.
        return rng.chance(0.9) || !/^[\x21-\x7e]*$/.test(v) ? enc(v) : v;
      });
      let path = pathText + suffix + (query ? `?${query}` : "");
      const payload = raw ?? (body !== undefined ? Buffer.from(JSON.stringify(body).replaceAll(`"${PROTO}"`, '"__proto__"')) : undefined);
      const headers: Record<string, string> = {};
      if (contentType && payload !== undefined) headers["Content-Type"] = contentType;
      const caller: Exclude<Who, "none"> = who === "none" ? "p1" : who;
      const now = Date.now();
      switch (auth) {
        case "none":
          break;
        case "token":
          headers["X-Auth-Token"] = tokens[projectName[caller]];
          break;
        case "garbage":
          headers["X-Auth-Token"] = rng.pick(["", "abc", "MII", "MIIabc.def", `MII${rng.hex(40)}.${rng.hex(43)}`, "x".repeat(9000), tokens[projectName[caller]].slice(0, -2)]);
          break;
        case "foreign-key":
          headers["X-Auth-Token"] = forge({ u: "x", p: f.p1, i: now, e: now + 60_000, n: "n" }, "another-world-key-0123456789");
          break;
        case "expired":
          headers["X-Auth-Token"] = forge({ u: emu.world.state.users[0].id, p: f.p1, i: now - 120_000, e: now - 60_000, n: "n" }, tokenKey);
          break;
        case "no-project":
          headers["X-Auth-Token"] = forge({ u: emu.world.state.users[0].id, p: "f".repeat(32), i: now, e: now + 60_000, n: "n" }, tokenKey);
          break;
        default: {
          const k = keys[caller];
          const date = auth === "aksk-stale" ? new Date(now - 3_600_000) : new Date(now);
          headers["X-Sdk-Date"] = SDK_DATE(date);
          if (auth === "aksk-project") headers["X-Project-Id"] = rng.pick([f.p3, f.p2, "0", randomString(rng).replace(/[^\x21-\x7e]/g, "x") || "x"]);
          if (auth === "aksk-security-token") headers["X-Security-Token"] = "gQpzZWN1cml0eXRva2Vu" + rng.hex(20);
          if (auth === "aksk-sha") headers["X-Sdk-Content-Sha256"] = rng.pick(["UNSIGNED-PAYLOAD", rng.hex(64), ""]);
          if (auth === "aksk-malformed") {
            headers.Authorization = rng.pick(["SDK-HMAC-SHA256", "Bearer abc", `SDK-HMAC-SHA256 Access=${k.access}`, `SDK-HMAC-SHA1 Access=${k.access}, SignedHeaders=x-sdk-date, Signature=00`, "SDK-HMAC-SHA256 Access=, SignedHeaders=, Signature=", "x".repeat(5000)]);
            break;
          }
          if (auth === "aksk-proto") {
            const signed = rng.pick(["constructor;host;x-sdk-date", "__proto__;x-sdk-date", "host;tostring;x-sdk-date", "Host;x-sdk-date", "host", "host;x-sdk-date;x-missing"]);
            headers.Authorization = `SDK-HMAC-SHA256 Access=${k.access}, SignedHeaders=${signed}, Signature=${rng.hex(64)}`;
            break;
          }
          const access = auth === "aksk-unknown" ? "UNKNOWNACCESSKEY0000" : k.access;
          const secret = auth === "aksk-bad-secret" ? "s".repeat(40) : k.secret;
          try {
            const url = new URL(path, emu.url);
            path = url.pathname + url.search;
            Object.assign(headers, signForTest(method, url, headers, payload ?? Buffer.alloc(0), access, secret));
          } catch {
            headers["X-Auth-Token"] = tokens[projectName[caller]];
          }
        }
      }
      return { method, path, headers, body: payload, note: notes.join(", ") || "as is", caller, imageId: params.image_id };
    };

    /** Sends one request and checks the answer and the world; reads back what a success changed. */
    const exercise = async (s: Sent, route?: Route): Promise<void> => {
      if (sent > 0 && sent % RESTORE_EVERY === 0) await admin("PUT", "/_emulator/world", fixtureWorld);
      const before = JSON.stringify(emu.world.state);
      const imagesBefore = new Set(emu.world.state.images.map((i) => i.id));
      const answer = await send(s);
      sent++;
      if ("error" in answer) {
        fail(sent, s, `no answer: ${answer.error}`);
        return;
      }
      const after = JSON.stringify(emu.world.state);
      statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
      if (answer.status >= 500) fail(sent, s, `status ${answer.status}: ${answer.text.slice(0, 300)}`);
      if (answer.status >= 400 && answer.status < 500 && s.method !== "HEAD") {
        const problem = shapeProblem(answer.status, answer, s.path);
        if (problem) fail(sent, s, `${answer.status} body ${problem}: ${answer.text.slice(0, 300)}`);
      }
      if (answer.status >= 400 && before !== after) fail(sent, s, `${answer.status} but the world changed: ${firstDifference(before, after)}; answer ${answer.text.slice(0, 200)}`);
      if ((s.method === "GET" || s.method === "HEAD") && before !== after) fail(sent, s, `${s.method} changed the world: ${firstDifference(before, after)}`);
      if (!route) return;

      // Did the request get past the gateway to the route's own handler?
      const gateway = /"error_code"/.test(answer.text) || (s.method === "HEAD" && answer.status === 401);
      if (!gateway && s.method === route.method) reached.set(`${route.method} ${route.path}`, (reached.get(`${route.method} ${route.path}`) ?? 0) + 1);
      // Ids of images and jobs made by the fuzzer join the pools.
      if (answer.status < 300 && answer.text.startsWith("{")) {
        const made = /"(?:job_id|id)":"([0-9a-f-]{32,36})"/.exec(answer.text);
        if (made && ids.image_id.length < 30) (made[0].startsWith('"job_id"') ? ids.job_id : ids.image_id).push(made[1]);
      }
      // Read back every image a successful change touched, through every view of images.
      const touched = answer.status < 300 && before !== after ? emu.world.state.images.map((i) => i.id).filter((id) => !imagesBefore.has(id)) : [];
      if (answer.status < 300 && before !== after && s.imageId && emu.world.image(s.imageId)) touched.push(s.imageId);
      if (touched.length > 0) {
        const headers = { "X-Auth-Token": tokens[projectName[s.caller]] };
        const project = emu.projectId(projectName[s.caller]);
        const id = touched[0];
        const reads = [`GET /v2/images/${id}`, `HEAD /v1/images/${id}`, `GET /v2/cloudimages?id=${id}`, rng.pick(["GET /v1.1/images/detail", "GET /v2/images?limit=1000", "GET /v1/cloudimages/tags", `GET /v2/${project}/images/tags`, `GET /v2/images/${id}/members`])];
        for (const read of reads) {
          const [method, path] = read.split(" ");
          readBacks++;
          await exercise({ method, path, headers, note: `read-back after #${sent}`, caller: s.caller });
        }
      }
    };

    const exhausted = () => sent >= MAX_REQUESTS || Date.now() - started > BUDGET_MS || failures.length >= 25;

    // Phase 1: odd strings (non-Latin, emoji, control characters, lone surrogates) in every string
    // field of every example body, each success read back through every view.
    const sweep: { route: Route; base: Example; body: unknown; note: string }[] = [];
    for (const route of routes) {
      for (const base of table[`${route.method} ${route.path}`] ?? []) {
        for (const path of paths(base.body).filter((p) => typeof p.reduce<unknown>((v, k) => (v as Record<string | number, unknown>)[k], base.body) === "string")) {
          for (const odd of [rng.pick(ODD_STRINGS), rng.pick(ODD_STRINGS)]) {
            const body = structuredClone(base.body);
            const parent = path.slice(0, -1).reduce<unknown>((v, k) => (v as Record<string | number, unknown>)[k], body) as Record<string | number, unknown>;
            parent[path[path.length - 1]] = odd;
            sweep.push({ route, base, body, note: `odd string ${JSON.stringify(odd)} in ${path.join(".")}` });
          }
        }
      }
    }
    for (const item of rng.shuffle(sweep)) {
      if (exhausted()) break;
      await exercise(build(item.route, item), item.route);
    }
    const swept = sent;

    // Phase 2: random mutations of the examples, every route in every round.
    outer: for (;;) {
      const round = rng.shuffle([...routes, ...routes.filter((r) => r.method !== "GET" && r.method !== "HEAD")]);
      for (const route of round) {
        if (exhausted()) break outer;
        await exercise(build(route), route);
      }
    }
    const elapsed = Date.now() - started;
    process.stdout.write(
      `fuzz: seed ${SEED}, ${sent} requests (odd-string sweep ${swept}, read-backs ${readBacks}) in ${elapsed} ms; statuses ${[...statuses].sort((a, b) => a[0] - b[0]).map(([s, n]) => `${s}:${n}`).join(" ")}\n`,
    );

    if (failures.length > 0) throw new Error(`${failures.length} fuzz failure(s) (replay with FUZZ_SEED=${SEED}):\n  ${failures.join("\n  ")}`);
    expect(sent).toBeGreaterThanOrEqual(1000);
    const unreached = routes.map((r) => `${r.method} ${r.path}`).filter((k) => !reached.has(k));
    expect({ seed: SEED, unreached }).toEqual({ seed: SEED, unreached: [] });
    expect([...statuses.keys()].filter((s) => s >= 200 && s < 300).length).toBeGreaterThan(0);
  }, 60_000);
  it("answers bytes that are not HTTP, or are too long, in the gateway shape", async () => {
    const port = Number(new URL(emu.url).port);
    const raw = (bytes: string): Promise<string> =>
      new Promise((resolve, reject) => {
        const socket = createConnection({ host: "127.0.0.1", port }, () => socket.end(Buffer.from(bytes, "latin1")));
        const chunks: Buffer[] = [];
        socket.on("data", (c: Buffer) => chunks.push(c));
        socket.on("close", () => resolve(Buffer.concat(chunks).toString("utf8")));
        socket.on("error", reject);
        socket.setTimeout(3_000, () => socket.destroy(new Error("no answer within 3 s")));
      });
    const cases: [string, number][] = [
      ["GARBAGE\r\n\r\n", 400],
      ["GET /v2/cloudimages HTTP/9.9\r\n\r\n", 400],
      ["GET /v2/cloudimages HTTP/1.1\r\nHost: x\r\nBad Header Line\r\n\r\n", 400],
      ["POST /v2/images HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n", 400],
      ["GET /v2/images HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\nzz\r\n", 400],
      [`GET /v2/images?${"q".repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`, 414],
      [`GET /v2/images HTTP/1.1\r\nHost: x\r\nX-Big: ${"b".repeat(20_000)}\r\n\r\n`, 494],
    ];
    const before = JSON.stringify(emu.world.state);
    for (const [bytes, status] of cases) {
      const text = await raw(bytes);
      const [head, body = ""] = text.split("\r\n\r\n");
      const what = `${JSON.stringify(bytes.slice(0, 60))} answered ${JSON.stringify(text.slice(0, 300))}`;
      expect({ what, status: Number(/^HTTP\/1\.1 (\d{3}) /.exec(head)?.[1]) }).toEqual({ what, status });
      const headers = Object.fromEntries(head.split("\r\n").slice(1).map((l) => [l.slice(0, l.indexOf(":")).toLowerCase(), l.slice(l.indexOf(":") + 1).trim()]));
      const problem = shapeProblem(status, { status, headers, text: body }, "/");
      expect({ what, problem }).toEqual({ what, problem: undefined });
    }
    expect(JSON.stringify(emu.world.state)).toBe(before);
  });
});
