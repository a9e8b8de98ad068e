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
}

function domainOf(cloud: Cloud, region: string): string {
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
  return trim(pick(overrides.ims, region) ?? `https://ims.${domainOf(cloud, region)}`);
}

/** The IAM auth URL of a region (ends in /v3): `https://iam.{region}.{cloud domain}/v3` unless overridden. */
export function iamEndpoint(cloud: Cloud, region: string, overrides: EndpointOverrides = {}): string {
  const given = pick(overrides.iam, region);
  if (given !== undefined) return trim(given);
  const host = cloud === "otc" && region === "eu-ch2" ? "iam-pub.eu-ch2.sc.otc.t-systems.com" : `iam.${domainOf(cloud, region)}`;
  return `https://${host}/v3`;
}
