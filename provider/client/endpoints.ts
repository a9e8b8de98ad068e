/**
 * Where the IMS and IAM APIs of a region are, for each cloud family (docs/authentication.md §3), with explicit
 * overrides for the emulator and private endpoints.
 */

export type Cloud = "huaweicloud" | "g42" | "otc";

export const CLOUDS: readonly Cloud[] = ["huaweicloud", "g42", "otc"];

export interface EndpointOverrides {
  /** IMS endpoint for every region, or per region. */
  ims?: string | Record<string, string>;
  /** IAM auth URL (…/v3) for every region, or per region. */
  iam?: string | Record<string, string>;
  /** The cloud's domain in place of its default (HW_CLOUD, e.g. myhuaweicloud.eu): endpoints are `{service}.{region}.{domain}`. */
  domain?: string;
}

/**
 * The regions whose IMS endpoint each cloud publishes (Huawei Cloud: its SDKs' region tables; G42 Cloud:
 * ae-ad-1; Open Telekom Cloud: its regions-and-endpoints page). A region outside the list is taken only
 * with an endpoint of one's own (ims:endpoint or ims:endpoints).
 */
export const KNOWN_REGIONS: Readonly<Record<Cloud, readonly string[]>> = {
  huaweicloud: [
    "af-south-1", "ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4", "ap-southeast-5",
    "cn-east-2", "cn-east-3", "cn-east-4", "cn-north-1", "cn-north-2", "cn-north-4", "cn-north-9", "cn-north-11", "cn-north-12",
    "cn-south-1", "cn-south-2", "cn-south-4", "cn-southwest-2", "eu-west-0", "eu-west-101", "la-north-2", "la-south-2",
    "me-east-1", "my-kualalumpur-1", "na-mexico-1", "ru-northwest-2", "sa-brazil-1", "tr-west-1",
  ],
  g42: ["ae-ad-1"],
  otc: ["eu-de", "eu-nl", "eu-ch2"],
};

/** Edit distance of two strings (insertions, deletions, substitutions). */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = current;
  }
  return previous[b.length];
}

/** The known region of `cloud` nearest to a mistyped `region`, when one is near enough to be meant. */
export function suggestRegion(cloud: Cloud, region: string): string | undefined {
  let best: { name: string; d: number } | undefined;
  for (const name of KNOWN_REGIONS[cloud]) {
    const d = distance(region.toLowerCase(), name);
    if (!best || d < best.d) best = { name, d };
  }
  return best && best.d <= Math.max(2, Math.floor(region.length / 4)) ? best.name : undefined;
}

function domainOf(cloud: Cloud, region: string, domain?: string): string {
  if (domain !== undefined) return `${region}.${domain}`;
  switch (cloud) {
    case "g42":
      return `${region}.g42cloud.com`;
    case "otc":
      return region === "eu-ch2" ? "eu-ch2.sc.otc.t-systems.com" : `${region}.otc.t-systems.com`;
    case "huaweicloud":
      return region.startsWith("eu-west-1") ? `${region}.myhuaweicloud.eu` : `${region}.myhuaweicloud.com`;
  }
}

function pick(override: string | Record<string, string> | undefined, region: string): string | undefined {
  if (override === undefined) return undefined;
  return typeof override === "string" ? override : override[region];
}

const trim = (url: string): string => url.replace(/\/+$/, "");

/** The IMS endpoint of a region: `https://ims.{region}.{cloud domain}` unless overridden. */
export function imsEndpoint(cloud: Cloud, region: string, overrides: EndpointOverrides = {}): string {
  return trim(pick(overrides.ims, region) ?? `https://ims.${domainOf(cloud, region, overrides.domain)}`);
}

/** The IAM auth URL of a region (ends in /v3): `https://iam.{region}.{cloud domain}/v3` unless overridden. */
export function iamEndpoint(cloud: Cloud, region: string, overrides: EndpointOverrides = {}): string {
  const given = pick(overrides.iam, region);
  if (given !== undefined) return trim(given);
  const host = cloud === "otc" && region === "eu-ch2" && overrides.domain === undefined ? "iam-pub.eu-ch2.sc.otc.t-systems.com" : `iam.${domainOf(cloud, region, overrides.domain)}`;
  return `https://${host}/v3`;
}
