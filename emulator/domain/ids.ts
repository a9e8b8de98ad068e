import { createHash, randomBytes, randomUUID } from "node:crypto";

/** A UUID, as IMS uses for images, servers, volumes and backups. */
export const newUuid = (): string => randomUUID();

/** 32 lowercase hex characters, as IMS uses for jobs, projects, domains and request ids. */
export const newHex32 = (): string => randomBytes(16).toString("hex");

/** A stable 32-hex id derived from a name, for the default world's fixed ids. */
export const stableHex32 = (seed: string): string => createHash("sha256").update(seed).digest("hex").slice(0, 32);

/** A stable UUID derived from a name. */
export function stableUuid(seed: string): string {
  const h = stableHex32(`uuid:${seed}`);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export const HEX32_PATTERN = /^[0-9a-f]{32}$/;

/** IMS image timestamps: UTC, second precision, `YYYY-MM-DDTHH:MM:SSZ`. */
export const imsTime = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

/** Job timestamps: UTC with milliseconds. */
export const jobTime = (ms: number): string => new Date(ms).toISOString();
