/**
 * Helpers of the image-area contract tests (images, copies): the default world's fixtures, jobs
 * run to their end, the IMS error shape, and the image as the extension list shows it.
 */
import type { RequestOptions, Response as EmuResponse, TestEmulator } from "../helpers/emulator";

export const MAIN = "ap-southeast-1";
export const ANALYTICS = "ap-southeast-1_analytics";
export const REMOTE = "ap-southeast-3";
export const QCOW2_URL = "images-bucket:ubuntu-24.04.qcow2";
export const VHD_URL = "images-bucket:data-disk.vhd";
export const GiB = 1024 ** 3;
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export const HEX32 = /^[0-9a-f]{32}$/;
export const IMAGE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
export const JOB_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

export type ImageView = Record<string, unknown> & { id: string; name: string; status: string };

/** The fields a job and each of its sub-jobs show. */
interface JobFields {
  status: string;
  job_id: string;
  job_type: string;
  begin_time: string;
  end_time: string;
  error_code: string | null;
  fail_reason: string | null;
}

interface SubJobView extends JobFields {
  entities: { image_id: string; image_name: string };
}

export interface JobView extends JobFields {
  entities: {
    image_id?: string;
    image_name?: string;
    sub_jobs_result?: SubJobView[];
    sub_jobs_list?: string[];
    process_percent?: number;
  };
}

export interface QuotaBody {
  quotas: { resources: { type: string; used: number; quota: number; min: number; max: number }[] };
}

export interface OsGroup {
  platform: string;
  version_list: { platform: string; os_version_key: string; os_version: string; os_bit: number; os_type: string }[];
}

/** The ids of the default world's server, volumes and backup. */
export function fixtures(emu: TestEmulator) {
  const s = emu.world.state;
  const id = <T extends { id: string; name: string }>(list: T[], name: string): string => {
    const found = list.find((x) => x.name === name);
    if (!found) throw new Error(`no ${name} in the default world`);
    return found.id;
  };
  return {
    serverId: id(s.servers, "web-01"),
    systemVolumeId: id(s.volumes, "web-01-system"),
    dataVolumeId: id(s.volumes, "web-01-data"),
    spareVolumeId: id(s.volumes, "logs-disk"),
    backupId: id(s.backups, "web-01-backup"),
  };
}

/** Asserts the IMS error shape `{"error":{"code","message"}}` with this status and code. */
export function expectError(res: EmuResponse, status: number, code: string): void {
  expect({ status: res.status, body: res.body }).toEqual({ status, body: { error: { code, message: expect.any(String) } } });
  expect((res.body as { error: { message: string } }).error.message.length).toBeGreaterThan(0);
}

/** Sends a request that must be refused with `code`, and checks the world did not change. */
export async function expectRejected(
  emu: TestEmulator,
  project: string,
  method: string,
  path: string,
  options: RequestOptions,
  status: number,
  code: string,
): Promise<void> {
  const before = emu.snapshot();
  const res = await emu.as(project, method, path, options);
  expectError(res, status, code);
  expect(emu.snapshot()).toEqual(before);
}

/** Submits an async request and waits for its job. */
export async function run(emu: TestEmulator, body: unknown, path = "/v2/cloudimages/action", project = MAIN, method = "POST"): Promise<JobView> {
  return (await emu.job(project, method, path, body)) as unknown as JobView;
}

/** Submits an async request that must succeed and returns its job id without waiting. */
export async function submit(emu: TestEmulator, body: unknown, path = "/v2/cloudimages/action", project = MAIN): Promise<string> {
  const res = await emu.as<{ job_id: string }>(project, "POST", path, { body });
  expect(res.status).toBe(200);
  expect(Object.keys(res.body)).toEqual(["job_id"]);
  expect(res.body.job_id).toMatch(HEX32);
  return res.body.job_id;
}

export async function jobNow(emu: TestEmulator, jobId: string, project = MAIN): Promise<JobView> {
  const res = await emu.as<JobView>(project, "GET", `/v1/${emu.projectId(project)}/jobs/${jobId}`);
  expect(res.status).toBe(200);
  return res.body;
}

/** The image as `GET /v2/cloudimages?id=` shows it to `project`. */
export async function imageOf(emu: TestEmulator, id: string, project = MAIN): Promise<ImageView> {
  const res = await emu.as<{ images: ImageView[] }>(project, "GET", `/v2/cloudimages?id=${id}`);
  expect(res.status).toBe(200);
  expect(res.body.images.map((i) => i.id)).toEqual([id]);
  return res.body.images[0];
}

export async function list(emu: TestEmulator, query: string, project = MAIN): Promise<ImageView[]> {
  const res = await emu.as<{ images: ImageView[] }>(project, "GET", `/v2/cloudimages${query}`);
  expect(res.status).toBe(200);
  expect(Object.keys(res.body)).toEqual(["images"]);
  return res.body.images;
}

export async function quotaUsed(emu: TestEmulator, project = MAIN): Promise<number> {
  const res = await emu.as<QuotaBody>(project, "GET", "/v1/cloudimages/quota");
  expect(res.status).toBe(200);
  return res.body.quotas.resources.find((r) => r.type === "image")!.used;
}

export async function clock(emu: TestEmulator, body: Record<string, unknown>): Promise<void> {
  const res = await emu.request("POST", "/_emulator/clock", { body });
  expect(res.status).toBe(200);
}

export async function putObject(emu: TestEmulator, key: string, bytes: Buffer): Promise<void> {
  const res = await emu.request("PUT", `/_emulator/objects/images-bucket/${key}`, { raw: bytes });
  expect(res.status).toBe(201);
}

/** A file an ISO-9660 reader recognises ("CD001" in the first volume descriptor). */
export function makeIso(): Buffer {
  const bytes = Buffer.alloc(0x9000);
  bytes[0x8000] = 1;
  bytes.write("CD001", 0x8001, "latin1");
  return bytes;
}

/** The id of the image a successful creation job made. */
export function createdImageId(job: JobView): string {
  expect(job.status).toBe("SUCCESS");
  expect(job.entities.image_id).toMatch(UUID);
  return job.entities.image_id!;
}

export async function imageFromServer(emu: TestEmulator, name: string, project = MAIN): Promise<string> {
  return createdImageId(await run(emu, { name, instance_id: fixtures(emu).serverId }, "/v2/cloudimages/action", project));
}

export async function imageFromFile(emu: TestEmulator, name: string, project = MAIN): Promise<string> {
  return createdImageId(await run(emu, { name, image_url: QCOW2_URL, min_disk: 40, os_version: "Ubuntu 24.04 server 64bit" }, "/v2/cloudimages/action", project));
}
