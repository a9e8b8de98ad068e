/**
 * Provider configuration: where a resource's IMS calls go and with which credentials.
 *
 * Settings come from the stack configuration (`ims:` namespace) first, then from the
 * environment variables of the chosen cloud (docs/authentication.md §3):
 *
 * | Setting | Huawei Cloud (default) | G42 Cloud | Open Telekom Cloud |
 * |---|---|---|---|
 * | `ims:region` | `HW_REGION_NAME`, `OS_REGION_NAME` | `G42_REGION_NAME` | `OS_*` first, then `HW_*` |
 * | `ims:accessKey` / `ims:secretKey` | `HW_ACCESS_KEY`, `OS_ACCESS_KEY` / `HW_SECRET_KEY`, `OS_SECRET_KEY` | `G42_ACCESS_KEY` / `G42_SECRET_KEY` | 〃 |
 * | `ims:securityToken` | `HW_SECURITY_TOKEN`, `OS_SECURITY_TOKEN` | `G42_SECURITY_TOKEN` | 〃 |
 * | `ims:domainName` | `HW_DOMAIN_NAME`, `OS_DOMAIN_NAME`, `OS_USER_DOMAIN_NAME` | `G42_ACCOUNT_NAME` | 〃 |
 * | `ims:userName` / `ims:password` | `HW_USER_NAME`, `OS_USERNAME` / `HW_USER_PASSWORD`, `OS_PASSWORD` | `G42_USERNAME` / `G42_PASSWORD` | 〃 |
 * | `ims:projectId` | `HW_PROJECT_ID`, `OS_PROJECT_ID`, `OS_TENANT_ID` | `G42_PROJECT_ID` | 〃 |
 * | `ims:projectName` | `HW_PROJECT_NAME`, `OS_PROJECT_NAME`, `OS_TENANT_NAME` | `G42_PROJECT_NAME` | 〃 |
 * | `ims:authUrl` | `HW_AUTH_URL`, `OS_AUTH_URL` | `G42_AUTH_URL` | 〃 |
 * | `ims:maxRetries` | `HW_MAX_RETRIES` | `G42_MAX_RETRIES` | 〃 |
 * | `ims:cloud` | `IMS_CLOUD` | | |
 *
 * `ims:endpoint`, `ims:endpoints`, `ims:timeouts`, `ims:allowInsecureHttp` and `ims:profiles`
 * are read from the stack configuration only (profile secrets may also come from
 * `IMS_PROFILE_<NAME>_SECRET_KEY`, `_PASSWORD` and `_SECURITY_TOKEN`).
 *
 * Precedence:
 * - A config key beats its environment variables; the first non-empty variable wins.
 * - AK/SK beats password authentication when both are complete.
 * - The IMS endpoint: an entry for the region in `ims:endpoints.ims`, then `ims:endpoint`, then a
 *   string `ims:endpoints.ims`, then `https://ims.{region}.{cloud domain}`.
 * - The IAM auth URL: an entry for the region in `ims:endpoints.iam`, then `ims:authUrl`, then a
 *   string `ims:endpoints.iam`, then the auth URL variables, then `https://iam.{region}.{cloud domain}/v3`.
 *   An auth URL without a path gets `/v3`.
 * - The project (id or name) is the one configured for the region it was configured with: when a
 *   resource names another region, it uses that region's default project (named like the region),
 *   since project ids and names are per region.
 */
import { createHash } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import type * as pulumi from "@pulumi/pulumi";
import { CLOUDS, iamEndpoint, imsEndpoint, ImsClient, KNOWN_REGIONS, suggestRegion, type ClientSettings, type Cloud, type Credentials, type EndpointOverrides } from "./client";
import { checkScheme, DEFAULT_TRANSPORT } from "./client/core/transport";
import { ConfigError } from "./common/errors";
import { parseDuration, warn } from "./common/time";

/**
 * The stack configuration handed to the provider process by the engine. Pulumi calls
 * `configure` once per resource kind before its first operation, possibly while other calls
 * already run, so it only stores the value, synchronously; clients are built lazily from it.
 */
let stackConfig: pulumi.dynamic.ConfigureRequest["config"] | undefined;

/** Stores the stack configuration (synchronously, before any await); see {@link clientFor}. */
export async function configure(req: pulumi.dynamic.ConfigureRequest): Promise<void> {
  stackConfig = req.config;
}

/** The stored stack configuration, or undefined before the engine called `configure`. */
export function currentStackConfig(): pulumi.dynamic.ConfigureRequest["config"] | undefined {
  return stackConfig;
}

export { ConfigError } from "./common/errors";
export { parseDuration } from "./common/time";

/** Time budgets of resource operations, in milliseconds. */
export interface Timeouts {
  createMs: number;
  updateMs: number;
  deleteMs: number;
}

/** Everything needed to call IMS for one resource. */
export interface Target {
  /** The region the resource lives in. */
  region: string;
  cloud: Cloud;
  /** The `ims:profiles` entry whose credentials are used, when the resource names one. */
  profile?: string;
  /** The IMS endpoint, authentication, retry policy and transport options. */
  settings: ClientSettings;
  /** The provider's defaults (`ims:timeouts`); resources may override them per resource. */
  timeouts: Timeouts;
  /** The part of `ims:timeouts` that is set (a resource kind's own defaults yield to it). */
  configuredTimeouts: Partial<Timeouts>;
}

/** Default time budgets: create 30 min, update 10 min, delete 10 min. */
export const DEFAULT_TIMEOUTS: Timeouts = Object.freeze({ createMs: 30 * 60_000, updateMs: 10 * 60_000, deleteMs: 10 * 60_000 });

type StackConfig = { get(key: string): string | undefined };

type EnvSetting =
  | "region"
  | "authUrl"
  | "accessKey"
  | "secretKey"
  | "securityToken"
  | "domainName"
  | "userName"
  | "password"
  | "projectId"
  | "projectName"
  | "maxRetries"
  | "insecure"
  | "caCertFile"
  | "cloudDomain";

type EnvNames = Record<EnvSetting, readonly string[]>;

/** Huawei Cloud names: `HW_*`, then `OS_*` (docs/authentication.md §3). */
const HUAWEI_ENV: EnvNames = {
  region: ["HW_REGION_NAME", "OS_REGION_NAME"],
  authUrl: ["HW_AUTH_URL", "OS_AUTH_URL"],
  accessKey: ["HW_ACCESS_KEY", "OS_ACCESS_KEY"],
  secretKey: ["HW_SECRET_KEY", "OS_SECRET_KEY"],
  securityToken: ["HW_SECURITY_TOKEN", "OS_SECURITY_TOKEN"],
  domainName: ["HW_DOMAIN_NAME", "OS_DOMAIN_NAME", "OS_USER_DOMAIN_NAME"],
  userName: ["HW_USER_NAME", "OS_USERNAME"],
  password: ["HW_USER_PASSWORD", "OS_PASSWORD"],
  projectId: ["HW_PROJECT_ID", "OS_PROJECT_ID", "OS_TENANT_ID"],
  projectName: ["HW_PROJECT_NAME", "OS_PROJECT_NAME", "OS_TENANT_NAME"],
  maxRetries: ["HW_MAX_RETRIES"],
  insecure: ["HW_INSECURE", "OS_INSECURE"],
  caCertFile: ["OS_CACERT"],
  cloudDomain: ["HW_CLOUD"],
};

/** G42 Cloud names, with no `OS_*` fallback (docs/authentication.md §3). */
const G42_ENV: EnvNames = {
  region: ["G42_REGION_NAME"],
  authUrl: ["G42_AUTH_URL"],
  accessKey: ["G42_ACCESS_KEY"],
  secretKey: ["G42_SECRET_KEY"],
  securityToken: ["G42_SECURITY_TOKEN"],
  domainName: ["G42_ACCOUNT_NAME"],
  userName: ["G42_USERNAME"],
  password: ["G42_PASSWORD"],
  projectId: ["G42_PROJECT_ID"],
  projectName: ["G42_PROJECT_NAME"],
  maxRetries: ["G42_MAX_RETRIES"],
  insecure: ["G42_INSECURE"],
  caCertFile: [],
  cloudDomain: ["G42_CLOUD"],
};

/** Open Telekom Cloud: the `OS_*` names first, then the `HW_*` ones (docs/authentication.md §3). */
const OTC_ENV = Object.fromEntries(
  Object.entries(HUAWEI_ENV).map(([setting, names]) => [
    setting,
    [...names.filter((n) => n.startsWith("OS_")), ...names.filter((n) => !n.startsWith("OS_"))],
  ]),
) as unknown as EnvNames;

const ENV_NAMES: Record<Cloud, EnvNames> = { huaweicloud: HUAWEI_ENV, g42: G42_ENV, otc: OTC_ENV };

/** Values used exactly as given (never trimmed). */
const SECRET_SETTINGS: ReadonlySet<string> = new Set(["secretKey", "securityToken", "password"]);

const CREDENTIAL_FIELDS = ["accessKey", "secretKey", "securityToken", "domainName", "userName", "password"] as const;
type CredentialField = (typeof CREDENTIAL_FIELDS)[number];

const PROFILE_FIELDS = [...CREDENTIAL_FIELDS, "projectId", "projectName", "region"] as const;
type ProfileField = (typeof PROFILE_FIELDS)[number];

/** Profile fields that may also come from `IMS_PROFILE_<NAME>_<SUFFIX>`. */
const PROFILE_ENV_SUFFIX: Partial<Record<ProfileField, string>> = {
  secretKey: "SECRET_KEY",
  password: "PASSWORD",
  securityToken: "SECURITY_TOKEN",
};

const MAX_RETRIES_LIMIT = 20;
const DEFAULT_MAX_RETRIES = 5;

/** A present value: undefined when absent, empty or only whitespace. */
function present(value: string | undefined, trim: boolean): string | undefined {
  if (value === undefined || value.trim() === "") return undefined;
  return trim ? value.trim() : value;
}

function orList(names: readonly string[]): string {
  if (names.length <= 1) return names.join("");
  return `${names.slice(0, -1).join(", ")} or ${names[names.length - 1]}`;
}

function andList(names: readonly string[]): string {
  if (names.length <= 1) return names.join("");
  return `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`;
}

/** The config key of a label: "ims:accessKey (HW_ACCESS_KEY)" → "ims:accessKey". */
const keyOf = (label: string): string => label.replace(/ \(.*\)$/, "");

/** "ims:accessKey (HW_ACCESS_KEY or OS_ACCESS_KEY)". */
function labelOf(key: string, env: readonly string[]): string {
  return env.length > 0 ? `${key} (${orList(env)})` : key;
}

/** Reads the stack configuration, then the cloud's environment variables. */
class Settings {
  readonly names: EnvNames;

  constructor(
    readonly cloud: Cloud,
    private readonly env: NodeJS.ProcessEnv,
    private readonly config: StackConfig | undefined,
  ) {
    this.names = ENV_NAMES[cloud];
  }

  /** A value of the stack configuration (`key` without the `ims:` prefix). */
  fromConfig(key: string, trim = true): string | undefined {
    return present(this.config?.get(`ims:${key}`), trim);
  }

  /** The first non-empty environment variable of a setting. */
  fromEnv(setting: EnvSetting): string | undefined {
    for (const name of this.names[setting]) {
      const value = present(this.env[name], !SECRET_SETTINGS.has(setting));
      if (value !== undefined) return value;
    }
    return undefined;
  }

  /** The raw environment variable `name`. */
  envValue(name: string, trim: boolean): string | undefined {
    return present(this.env[name], trim);
  }

  read(setting: EnvSetting): string | undefined {
    return this.fromConfig(setting, !SECRET_SETTINGS.has(setting)) ?? this.fromEnv(setting);
  }

  label(setting: EnvSetting): string {
    return labelOf(`ims:${setting}`, this.names[setting]);
  }
}

function readCloud(env: NodeJS.ProcessEnv, config: StackConfig | undefined): Cloud {
  const given = present(config?.get("ims:cloud"), true) ?? present(env.IMS_CLOUD, true);
  if (given === undefined) return "huaweicloud";
  const cloud = given.toLowerCase();
  if ((CLOUDS as readonly string[]).includes(cloud)) return cloud as Cloud;
  throw new ConfigError(
    `ims:cloud (IMS_CLOUD): ${JSON.stringify(given)} is not a supported cloud; use one of ${CLOUDS.join(", ")} ` +
      "(e.g. pulumi config set ims:cloud huaweicloud).",
  );
}

const REGION = /^[a-z0-9]+(-[a-z0-9]+)*$/;

function checkRegion(region: string, label: string): string {
  if (!REGION.test(region)) {
    throw new ConfigError(
      `${label}: ${JSON.stringify(region)} is not a region name; give one like ap-southeast-1 (lower-case letters, digits and dashes).`,
    );
  }
  return region;
}

/**
 * Parses a JSON object held by a config key. `quoteParser` is false when the value may hold
 * secrets: the parser's message quotes the text it read.
 */
function parseObject(key: string, raw: string, quoteParser: boolean, example: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (err) {
    const detail = quoteParser ? ` (${(err as Error).message})` : "";
    throw new ConfigError(`${key} is not valid JSON${detail}; set it to a JSON object, e.g. ${example}.`);
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new ConfigError(`${key} must be a JSON object, e.g. ${example}.`);
  }
  return value as Record<string, unknown>;
}

function rejectUnknownKeys(key: string, object: Record<string, unknown>, known: readonly string[]): void {
  for (const name of Object.keys(object)) {
    if (!known.includes(name)) {
      throw new ConfigError(`${key} has an unknown key ${JSON.stringify(name)}; the keys are ${known.join(", ")}.`);
    }
  }
}

/**
 * Checks an endpoint URL: http(s), no user info, query or fragment, plain http only to
 * loopback unless allowed. Returns it without trailing slashes; `defaultPath` replaces an empty path.
 */
function checkUrl(label: string, value: string, allowInsecureHttp: boolean, defaultPath = ""): string {
  const text = value.trim();
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== "http:" && url.protocol !== "https:")) {
    const shown = text.includes("@") ? "the value" : JSON.stringify(text);
    throw new ConfigError(`${label}: ${shown} is not an http(s) URL; give one like https://ims.ap-southeast-1.myhuaweicloud.com.`);
  }
  if (url.username !== "" || url.password !== "") {
    throw new ConfigError(`${label}: the URL must not contain a user name or password; remove them.`);
  }
  if (url.search !== "" || url.hash !== "") {
    throw new ConfigError(`${label}: ${JSON.stringify(text)} must not have a query or fragment; give the base URL only.`);
  }
  try {
    checkScheme(url, { ...DEFAULT_TRANSPORT, allowInsecureHttp });
  } catch {
    throw new ConfigError(
      `${label}: ${url.origin} uses plain http, which is allowed only to a loopback address; use https, ` +
        "or set ims:allowInsecureHttp to true (pulumi config set ims:allowInsecureHttp true).",
    );
  }
  const path = url.pathname.replace(/\/+$/, "");
  return `${url.origin}${path === "" ? defaultPath : path}`;
}

function readAllowInsecureHttp(settings: Settings): boolean {
  const given = settings.fromConfig("allowInsecureHttp");
  if (given === undefined) return false;
  const value = given.toLowerCase();
  if (value === "true") return true;
  if (value === "false") return false;
  throw new ConfigError(`ims:allowInsecureHttp: ${JSON.stringify(given)} is neither true nor false (pulumi config set ims:allowInsecureHttp true).`);
}

function readBoolean(settings: Settings, setting: "insecure"): boolean {
  const given = settings.read(setting);
  if (given === undefined) return false;
  const value = given.toLowerCase();
  if (["true", "1", "yes"].includes(value)) return true;
  if (["false", "0", "no"].includes(value)) return false;
  throw new ConfigError(`${settings.label(setting)}: ${JSON.stringify(given)} is neither true nor false (pulumi config set ims:${setting} true).`);
}

let insecureWarned = false;

/** The files a resolution read and their stamps when it read them, while {@link clientFor} records them. */
let filesRead: [string, string][] | undefined;

/** What tells a file's change without reading it: its modification time and size ("" when it cannot be read). */
function fileStamp(path: string): string {
  try {
    const stat = statSync(path);
    return `${stat.mtimeMs}:${stat.size}`;
  } catch {
    return "";
  }
}

/** The TLS settings: a CA file of one's own (its certificates, read now), or no certificate check at all. */
function readTls(settings: Settings): { ca?: string; insecure?: boolean } {
  const tls: { ca?: string; insecure?: boolean } = {};
  const caFile = settings.read("caCertFile");
  if (caFile !== undefined) {
    filesRead?.push([caFile, fileStamp(caFile)]);
    let pem: string;
    try {
      pem = readFileSync(caFile, "utf8");
    } catch (error) {
      throw new ConfigError(`${settings.label("caCertFile")}: ${caFile} cannot be read (${(error as NodeJS.ErrnoException).code ?? "error"}); give the path of a PEM file of CA certificates.`);
    }
    if (!pem.includes("-----BEGIN CERTIFICATE-----")) throw new ConfigError(`${settings.label("caCertFile")}: ${caFile} holds no PEM certificate (-----BEGIN CERTIFICATE-----).`);
    tls.ca = pem;
  }
  if (readBoolean(settings, "insecure")) {
    tls.insecure = true;
    if (!insecureWarned) {
      insecureWarned = true;
      warn(`${settings.label("insecure")} is set: the certificates of IMS and IAM are not checked, so anyone on the network path could read and change the requests; use it with test clouds only, and ims:caCertFile for a private CA.`);
    }
  }
  return tls;
}

function readMaxRetries(settings: Settings): number {
  const given = settings.read("maxRetries");
  if (given === undefined) return DEFAULT_MAX_RETRIES;
  const n = /^\d+$/.test(given) ? Number(given) : NaN;
  if (!(n >= 0 && n <= MAX_RETRIES_LIMIT)) {
    throw new ConfigError(
      `${settings.label("maxRetries")}: ${JSON.stringify(given)} is not a whole number from 0 to ${MAX_RETRIES_LIMIT}; ` +
        `give one, e.g. pulumi config set ims:maxRetries ${DEFAULT_MAX_RETRIES}.`,
    );
  }
  return n;
}

const ENDPOINTS_EXAMPLE = `'{"ims":"https://ims.example.com","iam":{"ap-southeast-1":"https://iam.example.com/v3"}}'`;

function readEndpoints(settings: Settings, allowInsecureHttp: boolean): EndpointOverrides {
  const raw = settings.fromConfig("endpoints");
  if (raw === undefined) return {};
  const object = parseObject("ims:endpoints", raw, true, ENDPOINTS_EXAMPLE);
  rejectUnknownKeys("ims:endpoints", object, ["ims", "iam"]);
  const overrides: EndpointOverrides = {};
  for (const service of ["ims", "iam"] as const) {
    const value = object[service];
    if (value === undefined) continue;
    const key = `ims:endpoints.${service}`;
    const defaultPath = service === "iam" ? "/v3" : "";
    if (typeof value === "string") {
      overrides[service] = checkUrl(key, value, allowInsecureHttp, defaultPath);
    } else if (value !== null && typeof value === "object" && !Array.isArray(value)) {
      const perRegion: Record<string, string> = {};
      for (const [region, url] of Object.entries(value as Record<string, unknown>)) {
        if (typeof url !== "string") throw new ConfigError(`${key}.${region} must be a URL string, e.g. ${ENDPOINTS_EXAMPLE}.`);
        perRegion[region] = checkUrl(`${key}.${region}`, url, allowInsecureHttp, defaultPath);
      }
      overrides[service] = perRegion;
    } else {
      throw new ConfigError(`${key} must be a URL, or an object from region to URL, e.g. ${ENDPOINTS_EXAMPLE}.`);
    }
  }
  return overrides;
}

const TIMEOUTS_EXAMPLE = `'{"create":"30m","update":"10m","delete":"10m"}'`;

/** The time budgets `ims:timeouts` sets (only those it names). */
function readTimeouts(settings: Settings): Partial<Timeouts> {
  const raw = settings.fromConfig("timeouts");
  if (raw === undefined) return {};
  const object = parseObject("ims:timeouts", raw, true, TIMEOUTS_EXAMPLE);
  rejectUnknownKeys("ims:timeouts", object, ["create", "update", "delete"]);
  const configured: Partial<Timeouts> = {};
  for (const name of ["create", "update", "delete"] as const) {
    const value = object[name];
    if (value !== undefined) configured[`${name}Ms`] = parseDuration(value as string | number, `ims:timeouts.${name}`);
  }
  return configured;
}

/** Where the credentials of a target come from: the provider's settings, or one profile. */
interface CredentialSource {
  /** " in profile "x"" or "". */
  scope: string;
  values: Partial<Record<CredentialField, string>>;
  labels: Record<CredentialField, string>;
}

/** The credentials of a source: AK/SK (with a security token) before password (docs/authentication.md §3). */
function credentialsFrom(source: CredentialSource): Credentials {
  const { values: v, labels: l, scope } = source;
  if (v.accessKey !== undefined && v.secretKey === undefined) {
    throw new ConfigError(`${l.accessKey} is set${scope} but ${l.secretKey} is not: AK/SK authentication needs both; set ${l.secretKey}, or unset ${l.accessKey}.`);
  }
  if (v.secretKey !== undefined && v.accessKey === undefined) {
    throw new ConfigError(`${l.secretKey} is set${scope} but ${l.accessKey} is not: AK/SK authentication needs both; set ${l.accessKey}, or unset ${l.secretKey}.`);
  }
  if (v.securityToken !== undefined && v.accessKey === undefined) {
    throw new ConfigError(
      `${l.securityToken} is set${scope} but ${l.accessKey} is not: a security token belongs to a temporary AK/SK; ` +
        `set ${l.accessKey} and ${l.secretKey} too, or unset ${l.securityToken}.`,
    );
  }
  const passwordFields = ["domainName", "userName", "password"] as const;
  if (v.userName !== undefined || v.password !== undefined) {
    const missing = passwordFields.filter((f) => v[f] === undefined);
    if (missing.length > 0) {
      const given = passwordFields.filter((f) => v[f] !== undefined).map((f) => l[f]);
      throw new ConfigError(
        `Password authentication${scope} needs ${andList(passwordFields.map((f) => keyOf(l[f])))}: ${andList(given)} ` +
          `${given.length > 1 ? "are" : "is"} set but ${andList(missing.map((f) => l[f]))} ${missing.length > 1 ? "are" : "is"} not; ` +
          `set ${missing.length > 1 ? "them" : "it"}, or unset the others.`,
      );
    }
  }
  if (v.accessKey !== undefined && v.secretKey !== undefined) {
    return v.securityToken !== undefined
      ? { kind: "aksk", accessKey: v.accessKey, secretKey: v.secretKey, securityToken: v.securityToken }
      : { kind: "aksk", accessKey: v.accessKey, secretKey: v.secretKey };
  }
  if (v.domainName !== undefined && v.userName !== undefined && v.password !== undefined) {
    return { kind: "password", domainName: v.domainName, userName: v.userName, password: v.password };
  }
  throw new ConfigError(
    `No credentials${scope}: set ${l.accessKey} + ${l.secretKey}, ` +
      `or ${l.domainName} + ${l.userName} + ${l.password}.`,
  );
}

/** `IMS_PROFILE_<NAME>_`: the name upper-cased, every other character than A-Z and 0-9 made `_`. */
function profileEnvPrefix(name: string): string {
  return `IMS_PROFILE_${name.toUpperCase().replace(/[^A-Z0-9]/g, "_")}_`;
}

const PROFILES_EXAMPLE = "pulumi config set --path ims:profiles.<name>.accessKey <AK> (and --secret for secret values)";

interface ResolvedProfile {
  values: Partial<Record<ProfileField, string>>;
  labels: Record<ProfileField, string>;
}

function readProfile(settings: Settings, name: string): ResolvedProfile {
  const raw = settings.fromConfig("profiles");
  if (raw === undefined) {
    throw new ConfigError(`The profile ${JSON.stringify(name)} is not defined: ims:profiles is not set; define it, e.g. ${PROFILES_EXAMPLE}.`);
  }
  // The parser's message would quote the text, which holds secrets.
  const profiles = parseObject("ims:profiles", raw, false, PROFILES_EXAMPLE);
  if (!Object.prototype.hasOwnProperty.call(profiles, name)) {
    const known = Object.keys(profiles);
    throw new ConfigError(
      `The profile ${JSON.stringify(name)} is not defined in ims:profiles; ` +
        (known.length > 0 ? `the profiles are ${known.map((k) => JSON.stringify(k)).join(", ")}.` : `it defines none; ${PROFILES_EXAMPLE}.`),
    );
  }
  const key = `ims:profiles.${name}`;
  const entry = profiles[name];
  if (entry === null || typeof entry !== "object" || Array.isArray(entry)) {
    throw new ConfigError(`${key} must be an object with the fields ${PROFILE_FIELDS.join(", ")}; ${PROFILES_EXAMPLE}.`);
  }
  const object = entry as Record<string, unknown>;
  rejectUnknownKeys(key, object, PROFILE_FIELDS);
  const prefix = profileEnvPrefix(name);
  const values: Partial<Record<ProfileField, string>> = {};
  const labels = {} as Record<ProfileField, string>;
  for (const field of PROFILE_FIELDS) {
    const suffix = PROFILE_ENV_SUFFIX[field];
    labels[field] = labelOf(`${key}.${field}`, suffix === undefined ? [] : [prefix + suffix]);
    const given = object[field];
    if (given !== undefined && given !== null && typeof given !== "string") {
      throw new ConfigError(`${key}.${field} must be a string; set it with pulumi config set --path ${key}.${field} <value>.`);
    }
    const trim = !SECRET_SETTINGS.has(field);
    const value = present(given ?? undefined, trim) ?? (suffix === undefined ? undefined : settings.envValue(prefix + suffix, trim));
    if (value !== undefined) values[field] = value;
  }
  return { values, labels };
}

/**
 * Resolves the target of a resource: its own region and profile, else the provider's.
 *
 * @param options - The resource's `region` and `profile` (an `ims:profiles` entry), both optional,
 *   and a `project` of that region chosen by the resource (a copy's destination project), which
 *   replaces the configured one.
 * @param env - The environment (default `process.env`).
 * @param config - The stack configuration (default {@link currentStackConfig}; when absent only
 *   the environment is used).
 * @throws ConfigError when a setting is missing, malformed or contradictory.
 */
export function resolveTarget(
  options: TargetOptions,
  env: NodeJS.ProcessEnv = process.env,
  config: StackConfig | undefined = currentStackConfig(),
): Target {
  const cloud = readCloud(env, config);
  const settings = new Settings(cloud, env, config);
  const profileName = present(options.profile, false);
  const profile = profileName === undefined ? undefined : readProfile(settings, profileName);

  const providerRegion = settings.read("region");
  if (providerRegion !== undefined) checkRegion(providerRegion, settings.label("region"));
  if (profile?.values.region !== undefined) checkRegion(profile.values.region, profile.labels.region);
  const ownRegion = present(options.region, true);
  if (ownRegion !== undefined) checkRegion(ownRegion, "the resource's region");
  const region = ownRegion ?? profile?.values.region ?? providerRegion;
  if (region === undefined) {
    throw new ConfigError(
      "No region: give the resource a region, " +
        (profile !== undefined ? `set ${profile.labels.region}, ` : "") +
        `or set ${settings.label("region")}, e.g. pulumi config set ims:region ap-southeast-1.`,
    );
  }

  let credentials: Credentials;
  let project: { projectId?: string; projectName?: string };
  let projectRegion: string | undefined;
  if (profile !== undefined) {
    credentials = credentialsFrom({ scope: ` in profile ${JSON.stringify(profileName)}`, values: profile.values, labels: profile.labels });
    project = { projectId: profile.values.projectId, projectName: profile.values.projectName };
    projectRegion = profile.values.region ?? providerRegion;
  } else {
    const values: Partial<Record<CredentialField, string>> = {};
    const labels = {} as Record<CredentialField, string>;
    for (const field of CREDENTIAL_FIELDS) {
      const value = settings.read(field);
      if (value !== undefined) values[field] = value;
      labels[field] = settings.label(field);
    }
    credentials = credentialsFrom({ scope: "", values, labels });
    project = { projectId: settings.read("projectId"), projectName: settings.read("projectName") };
    projectRegion = providerRegion;
  }

  // A project belongs to one region: without a region to tie it to, it would be sent to every region.
  if (projectRegion === undefined && (project.projectId !== undefined || project.projectName !== undefined)) {
    const key = profile !== undefined ? profile.labels.region : settings.label("region");
    throw new ConfigError(`A project is configured without the region it belongs to: set ${key} to the project's region.`);
  }

  const allowInsecureHttp = readAllowInsecureHttp(settings);
  const maxRetries = readMaxRetries(settings);
  const configuredTimeouts = readTimeouts(settings);
  const overrides = readEndpoints(settings, allowInsecureHttp);
  const cloudDomain = settings.read("cloudDomain");
  if (cloudDomain !== undefined) {
    if (!/^[a-z0-9-]+(\.[a-z0-9-]+)+$/i.test(cloudDomain)) {
      throw new ConfigError(`${settings.label("cloudDomain")}: ${JSON.stringify(cloudDomain)} is not a domain; give one like myhuaweicloud.eu.`);
    }
    overrides.domain = cloudDomain;
  }
  const tls = readTls(settings);

  const endpointKey = settings.fromConfig("endpoint");
  // Without an endpoint of one's own, the region must be one the cloud serves: a mistyped one would
  // otherwise surface as a DNS failure or "no project named …".
  const ownEndpoint = endpointKey !== undefined || overrides.ims !== undefined || overrides.domain !== undefined;
  if (!ownEndpoint && !KNOWN_REGIONS[cloud].includes(region)) {
    const near = suggestRegion(cloud, region);
    const from = ownRegion !== undefined ? "the resource's region" : profile?.values.region !== undefined ? profile.labels.region : settings.label("region");
    throw new ConfigError(
      `${from}: ${JSON.stringify(region)} is not a region of ${cloud}` +
        (near ? `; did you mean ${near}?` : `; its regions are ${KNOWN_REGIONS[cloud].join(", ")}.`) +
        " (With an IMS endpoint of your own, ims:endpoint or ims:endpoints, any region name is taken.)",
    );
  }
  const endpoint =
    typeof overrides.ims === "object" && overrides.ims[region] !== undefined
      ? overrides.ims[region]
      : endpointKey !== undefined
        ? checkUrl("ims:endpoint", endpointKey, allowInsecureHttp)
        : imsEndpoint(cloud, region, overrides);

  const authUrlKey = settings.fromConfig("authUrl");
  const authUrlEnv = settings.fromEnv("authUrl");
  let authUrl: string;
  if (typeof overrides.iam === "object" && overrides.iam[region] !== undefined) authUrl = overrides.iam[region];
  else if (authUrlKey !== undefined) authUrl = checkUrl("ims:authUrl", authUrlKey, allowInsecureHttp, "/v3");
  else if (typeof overrides.iam === "string") authUrl = overrides.iam;
  else if (authUrlEnv !== undefined) authUrl = checkUrl(settings.label("authUrl"), authUrlEnv, allowInsecureHttp, "/v3");
  else authUrl = iamEndpoint(cloud, region);

  const auth: ClientSettings["auth"] = { credentials, authUrl, region };
  const chosen = options.project;
  if (chosen?.id !== undefined || chosen?.name !== undefined) {
    if (chosen.id !== undefined) auth.projectId = chosen.id;
    else if (chosen.name !== undefined) auth.projectName = chosen.name;
  } else if (projectRegion === region) {
    // A project belongs to one region: elsewhere the region's default project is used.
    if (project.projectId !== undefined) auth.projectId = project.projectId;
    if (project.projectName !== undefined) auth.projectName = project.projectName;
  }

  const target: Target = {
    region,
    cloud,
    settings: { endpoint, auth, retry: { maxRetries }, transport: { allowInsecureHttp, ...tls } },
    timeouts: { ...DEFAULT_TIMEOUTS, ...configuredTimeouts },
    configuredTimeouts,
  };
  if (profileName !== undefined) target.profile = profileName;
  return target;
}

/** Whose IMS a resource calls: its region, its profile, and a project of its own choosing. */
export interface TargetOptions {
  region?: string;
  profile?: string;
  /** A project of the region (by id, else by name) instead of the configured one. */
  project?: { id?: string; name?: string };
}

/** Clients by region, profile and project, with a digest of the settings they were built from. */
const clients = new Map<string, { digest: string; client: ImsClient }>();

/**
 * The last resolution of each set of target options, with what it was made from: the stack
 * configuration (the object the engine handed over, replaced on each `configure`), the value of
 * every environment variable it read, and the modification time and size of the files it read (a
 * CA bundle). Resolving validates every setting (URLs, regions, endpoint maps, time budgets), which
 * is most of what a read or a diff of a resource costs when the cloud answers from a listing; a
 * resolution is reused while none of that changed.
 */
const resolutions = new Map<
  string,
  { config: StackConfig | undefined; env: [string, string | undefined][]; files: [string, string][]; target: Target; client: ImsClient }
>();

/**
 * An {@link ImsClient} for the target of a resource (see {@link resolveTarget}), from
 * `process.env` and the stack configuration. One client is created per (region, profile) for the
 * whole process and reused (a new one replaces it when the resolved settings change).
 *
 * @throws ConfigError when the configuration is missing, malformed or contradictory.
 */
export function clientFor(options: TargetOptions): { client: ImsClient; target: Target } {
  const optionsKey = JSON.stringify([options.region, options.profile, options.project?.id, options.project?.name]);
  const config = currentStackConfig();
  const last = resolutions.get(optionsKey);
  if (
    last !== undefined &&
    last.config === config &&
    last.env.every(([name, value]) => process.env[name] === value) &&
    last.files.every(([path, stamp]) => fileStamp(path) === stamp)
  ) {
    return { client: last.client, target: last.target };
  }
  const read = new Map<string, string | undefined>();
  const env = new Proxy(process.env, {
    get(vars, name) {
      const value = Reflect.get(vars, name) as string | undefined;
      if (typeof name === "string") read.set(name, value);
      return value;
    },
  });
  const files: [string, string][] = [];
  filesRead = files;
  let target: Target;
  try {
    target = resolveTarget(options, env, config);
  } finally {
    filesRead = undefined;
  }
  const key = [target.region, target.profile ?? "", options.project?.id ?? "", options.project?.name ?? ""].join("\u0000");
  const digest = createHash("sha256").update(JSON.stringify(target.settings)).digest("hex");
  let entry = clients.get(key);
  if (entry === undefined || entry.digest !== digest) {
    entry = { digest, client: new ImsClient(target.settings) };
    clients.set(key, entry);
  }
  resolutions.set(optionsKey, { config, env: [...read], files, target, client: entry.client });
  return { client: entry.client, target };
}
