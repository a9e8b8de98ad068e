/** Provider configuration: stack config and environment → IMS client settings, pure and explicit. */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type * as pulumi from "@pulumi/pulumi";
import { timeoutsOf } from "../../provider/common/time";
import { ImsClient } from "../../provider/client";
import {
  clientFor,
  ConfigError,
  configure,
  currentStackConfig,
  DEFAULT_TIMEOUTS,
  parseDuration,
  resolveTarget,
  type Target,
} from "../../provider/config";

type StackConfig = { get(key: string): string | undefined };

/** A stack configuration holding exactly `values` (full keys, e.g. "ims:region"). */
const cfg = (values: Record<string, string> = {}): StackConfig => ({ get: (key) => values[key] });

// Distinctive credential values: none of them may ever appear in an error message.
const AK = "AKCONFIGTEST00000001";
const SK = "sk-provider-secret-9f8e7d6c5b4a";
const TOKEN = "token-provider-secret-1a2b3c4d5e";
const PASSWORD = "pw-provider-secret-0q9w8e7r";
const PROFILE_SK = "sk-profile-secret-aa11bb22cc33";
const PROFILE_PASSWORD = "pw-profile-secret-dd44ee55";
const SECRETS = [SK, TOKEN, PASSWORD, PROFILE_SK, PROFILE_PASSWORD];

const REGION = "ap-southeast-1";
const base = { "ims:region": REGION, "ims:accessKey": AK, "ims:secretKey": SK };

/** The ConfigError `fn` throws. */
function errorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error("expected a ConfigError, but nothing was thrown");
}

const resolve = (config: Record<string, string>, env: NodeJS.ProcessEnv = {}, options: { region?: string; profile?: string } = {}): Target =>
  resolveTarget(options, env, cfg(config));

describe("configure", () => {
  it("stores the stack configuration synchronously, and resolveTarget reads it by default", () => {
    const config = cfg({ ...base, "ims:region": "ap-southeast-3" });
    void configure({ config } as unknown as pulumi.dynamic.ConfigureRequest);
    expect(currentStackConfig()).toBe(config);
    expect(resolveTarget({}, {}).region).toBe("ap-southeast-3");
  });
});

describe("ConfigError", () => {
  it("is an Error named ConfigError", () => {
    const err = new ConfigError("ims:region is missing");
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe("ConfigError");
    expect(err.message).toBe("ims:region is missing");
  });
});

describe("defaults", () => {
  it("builds the Huawei Cloud endpoints, 5 retries, https only and the default timeouts", () => {
    expect(resolve(base)).toStrictEqual({
      region: REGION,
      cloud: "huaweicloud",
      settings: {
        endpoint: "https://ims.ap-southeast-1.myhuaweicloud.com",
        auth: { credentials: { kind: "aksk", accessKey: AK, secretKey: SK }, authUrl: "https://iam.ap-southeast-1.myhuaweicloud.com/v3", region: REGION },
        retry: { maxRetries: 5 },
        transport: { allowInsecureHttp: false },
      },
      timeouts: { createMs: 1_800_000, updateMs: 600_000, deleteMs: 600_000 },
      configuredTimeouts: {},
    });
  });

  it("has default timeouts of 30, 10 and 10 minutes", () => {
    expect(DEFAULT_TIMEOUTS).toEqual({ createMs: 30 * 60_000, updateMs: 10 * 60_000, deleteMs: 10 * 60_000 });
  });

  it("uses only the environment when there is no stack configuration", () => {
    const target = resolveTarget({}, { HW_REGION_NAME: "cn-north-4", HW_ACCESS_KEY: AK, HW_SECRET_KEY: SK }, cfg());
    expect(target.region).toBe("cn-north-4");
    expect(target.settings.auth.credentials).toEqual({ kind: "aksk", accessKey: AK, secretKey: SK });
    expect(target.settings.endpoint).toBe("https://ims.cn-north-4.myhuaweicloud.com");
  });

  it("treats empty and blank values as absent", () => {
    const target = resolve({ ...base, "ims:region": " " }, { HW_REGION_NAME: "", OS_REGION_NAME: "cn-north-4" });
    expect(target.region).toBe("cn-north-4");
  });
});

describe("cloud", () => {
  it.each([
    ["huaweicloud", "ap-southeast-1", "https://ims.ap-southeast-1.myhuaweicloud.com", "https://iam.ap-southeast-1.myhuaweicloud.com/v3"],
    ["huaweicloud", "eu-west-101", "https://ims.eu-west-101.myhuaweicloud.eu", "https://iam.eu-west-101.myhuaweicloud.eu/v3"],
    ["g42", "ae-ad-1", "https://ims.ae-ad-1.g42cloud.com", "https://iam.ae-ad-1.g42cloud.com/v3"],
    ["otc", "eu-de", "https://ims.eu-de.otc.t-systems.com", "https://iam.eu-de.otc.t-systems.com/v3"],
    ["otc", "eu-ch2", "https://ims.eu-ch2.sc.otc.t-systems.com", "https://iam-pub.eu-ch2.sc.otc.t-systems.com/v3"],
  ])("%s %s: default endpoints", (cloud, region, ims, iam) => {
    const target = resolve({ ...base, "ims:cloud": cloud, "ims:region": region });
    expect(target.cloud).toBe(cloud);
    expect(target.settings.endpoint).toBe(ims);
    expect(target.settings.auth.authUrl).toBe(iam);
  });

  it("comes from IMS_CLOUD, not HW_CLOUD, and ims:cloud beats it", () => {
    expect(resolve({ ...base, "ims:region": "ae-ad-1" }, { IMS_CLOUD: "g42" }).cloud).toBe("g42");
    // HW_CLOUD is the Huawei Terraform provider's domain of the cloud, not the family.
    expect(resolve(base, { HW_CLOUD: "myhuaweicloud.eu" }).cloud).toBe("huaweicloud");
    expect(resolve({ ...base, "ims:cloud": "otc", "ims:region": "eu-de" }, { IMS_CLOUD: "g42" }).cloud).toBe("otc");
  });

  it("ignores case", () => {
    expect(resolve({ ...base, "ims:cloud": "OTC", "ims:region": "eu-nl" }).cloud).toBe("otc");
  });

  it("refuses a region the cloud does not serve, suggesting the one meant", () => {
    const typo = errorOf(() => resolve({ ...base, "ims:region": "ap-southeast1" }));
    expect(typo.message).toMatch(/^ims:region \(HW_REGION_NAME or OS_REGION_NAME\): "ap-southeast1" is not a region of huaweicloud; did you mean ap-southeast-1\?/);
    const far = errorOf(() => resolve({ ...base, "ims:cloud": "otc", "ims:region": "us-east-1" }));
    expect(far.message).toMatch(/"us-east-1" is not a region of otc; its regions are eu-de, eu-nl, eu-ch2/);
    expect(errorOf(() => resolveTarget({ region: "ap-southeast-9" }, {}, cfg(base))).message).toMatch(/^the resource's region: "ap-southeast-9"/);
    // With an endpoint of one's own (a private cloud, the emulator), any region name is taken.
    expect(resolve({ ...base, "ims:region": "lab-1", "ims:endpoint": "https://ims.lab.example" }).region).toBe("lab-1");
  });

  it("takes the cloud's domain from HW_CLOUD (or ims:cloudDomain), as the Huawei Terraform provider does", () => {
    const eu = resolve({ ...base, "ims:region": "eu-west-101" }, { HW_CLOUD: "myhuaweicloud.eu" });
    expect(eu.settings.endpoint).toBe("https://ims.eu-west-101.myhuaweicloud.eu");
    expect(eu.settings.auth.authUrl).toBe("https://iam.eu-west-101.myhuaweicloud.eu/v3");
    // A domain of one's own (a dedicated cloud): any region name.
    expect(resolve({ ...base, "ims:region": "dc-1", "ims:cloudDomain": "cloud.corp.example" }).settings.endpoint).toBe("https://ims.dc-1.cloud.corp.example");
    expect(errorOf(() => resolve(base, { HW_CLOUD: "otc" })).message).toMatch(/ims:cloudDomain \(HW_CLOUD\): "otc" is not a domain/);
  });

  it("takes a CA file of one's own, and warns once when certificates are not checked at all", () => {
    const dir = mkdtempSync(join(tmpdir(), "pulumi-ims-ca-"));
    try {
      const pem = join(dir, "ca.pem");
      writeFileSync(pem, "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
      expect(resolve({ ...base, "ims:caCertFile": pem }).settings.transport).toMatchObject({ ca: expect.stringContaining("BEGIN CERTIFICATE") });
      expect(resolve(base, { OS_CACERT: pem }).settings.transport).toMatchObject({ ca: expect.stringContaining("BEGIN CERTIFICATE") });
      expect(errorOf(() => resolve({ ...base, "ims:caCertFile": join(dir, "missing.pem") })).message).toMatch(/ims:caCertFile \(OS_CACERT\): .*missing.pem cannot be read \(ENOENT\)/);
      const warn = jest.spyOn(console, "warn").mockImplementation(() => undefined);
      try {
        expect(resolve({ ...base, "ims:insecure": "true" }).settings.transport).toMatchObject({ insecure: true });
        expect(resolve(base, { HW_INSECURE: "true" }).settings.transport).toMatchObject({ insecure: true });
        expect(warn.mock.calls.length).toBeLessThanOrEqual(1);
        expect(resolve(base).settings.transport).not.toHaveProperty("insecure");
      } finally {
        warn.mockRestore();
      }
      expect(errorOf(() => resolve({ ...base, "ims:insecure": "maybe" })).message).toMatch(/ims:insecure \(HW_INSECURE or OS_INSECURE\): "maybe" is neither true nor false/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("rejects an unknown cloud, listing the valid ones", () => {
    const err = errorOf(() => resolve({ ...base, "ims:cloud": "aws" }));
    expect(err.message).toContain("ims:cloud");
    expect(err.message).toContain("IMS_CLOUD");
    expect(err.message).toContain('"aws"');
    expect(err.message).toContain("huaweicloud, g42, otc");
  });
});

describe("region", () => {
  const creds = { "ims:accessKey": AK, "ims:secretKey": SK };

  it("is required, naming the key and the variables", () => {
    const err = errorOf(() => resolve(creds));
    expect(err.message).toContain("ims:region");
    expect(err.message).toContain("HW_REGION_NAME or OS_REGION_NAME");
    expect(err.message).toContain("pulumi config set ims:region");
  });

  it("names G42_REGION_NAME for G42 Cloud", () => {
    const err = errorOf(() => resolve({ ...creds, "ims:cloud": "g42" }, { HW_REGION_NAME: REGION }));
    expect(err.message).toContain("G42_REGION_NAME");
    expect(err.message).not.toContain("HW_REGION_NAME");
  });

  it("prefers the config key, then HW_REGION_NAME, then OS_REGION_NAME", () => {
    expect(resolve(base, { HW_REGION_NAME: "cn-north-4", OS_REGION_NAME: "cn-east-3" }).region).toBe(REGION);
    expect(resolve(creds, { HW_REGION_NAME: "cn-north-4", OS_REGION_NAME: "cn-east-3" }).region).toBe("cn-north-4");
    expect(resolve(creds, { OS_REGION_NAME: "cn-east-3" }).region).toBe("cn-east-3");
  });

  it("puts OS_REGION_NAME first for Open Telekom Cloud", () => {
    expect(resolve({ ...creds, "ims:cloud": "otc" }, { HW_REGION_NAME: "eu-nl", OS_REGION_NAME: "eu-de" }).region).toBe("eu-de");
    expect(resolve({ ...creds, "ims:cloud": "otc" }, { HW_REGION_NAME: "eu-nl" }).region).toBe("eu-nl");
  });

  it("reads only G42_REGION_NAME for G42 Cloud", () => {
    expect(resolve({ ...creds, "ims:cloud": "g42" }, { G42_REGION_NAME: "ae-ad-1", OS_REGION_NAME: "x-y-1" }).region).toBe("ae-ad-1");
  });

  it("of the resource beats the provider's, and is enough on its own", () => {
    const target = resolve(base, {}, { region: "ap-southeast-3" });
    expect(target.region).toBe("ap-southeast-3");
    expect(target.settings.endpoint).toBe("https://ims.ap-southeast-3.myhuaweicloud.com");
    expect(target.settings.auth.region).toBe("ap-southeast-3");
    expect(resolve(creds, {}, { region: "cn-north-4" }).region).toBe("cn-north-4");
  });

  it.each([
    ["config", { ...base, "ims:region": "ap-southeast-1.evil.com/" }, {}, {}, "ims:region"],
    ["env", creds, { HW_REGION_NAME: "AP_SOUTHEAST_1" }, {}, "HW_REGION_NAME"],
    ["resource", base, {}, { region: "ap southeast" }, "the resource's region"],
  ])("rejects a malformed region (%s)", (_where, config, env, options, named) => {
    const err = errorOf(() => resolve(config, env, options));
    expect(err.message).toContain(named);
    expect(err.message).toContain("is not a region name");
  });
});

describe("credentials", () => {
  it("takes AK/SK with a security token", () => {
    expect(resolve({ ...base, "ims:securityToken": TOKEN }).settings.auth.credentials).toEqual({
      kind: "aksk",
      accessKey: AK,
      secretKey: SK,
      securityToken: TOKEN,
    });
  });

  it("takes a password with a user and a domain", () => {
    const target = resolve({ "ims:region": REGION, "ims:domainName": "acme", "ims:userName": "deployer", "ims:password": PASSWORD });
    expect(target.settings.auth.credentials).toEqual({ kind: "password", domainName: "acme", userName: "deployer", password: PASSWORD });
  });

  it("prefers AK/SK when a password is complete too", () => {
    const target = resolve({ ...base, "ims:domainName": "acme", "ims:userName": "deployer", "ims:password": PASSWORD });
    expect(target.settings.auth.credentials).toEqual({ kind: "aksk", accessKey: AK, secretKey: SK });
  });

  it("accepts a domain name alongside AK/SK (an account marker, unused)", () => {
    expect(resolve(base, { OS_USER_DOMAIN_NAME: "acme" }).settings.auth.credentials.kind).toBe("aksk");
  });

  it("reads HW_* first, then OS_* (Huawei Cloud)", () => {
    const env = {
      HW_REGION_NAME: REGION,
      HW_ACCESS_KEY: "AKHW",
      OS_ACCESS_KEY: "AKOS",
      HW_SECRET_KEY: SK,
      OS_SECRET_KEY: "other-secret",
      OS_SECURITY_TOKEN: TOKEN,
    };
    expect(resolveTarget({}, env, cfg()).settings.auth.credentials).toEqual({ kind: "aksk", accessKey: "AKHW", secretKey: SK, securityToken: TOKEN });
  });

  it("falls back to OS_DOMAIN_NAME, OS_USER_DOMAIN_NAME, OS_USERNAME and OS_PASSWORD", () => {
    const env = { OS_REGION_NAME: REGION, OS_USER_DOMAIN_NAME: "acme", OS_USERNAME: "deployer", OS_PASSWORD: PASSWORD };
    expect(resolveTarget({}, env, cfg()).settings.auth.credentials).toEqual({ kind: "password", domainName: "acme", userName: "deployer", password: PASSWORD });
    expect(resolveTarget({}, { ...env, OS_DOMAIN_NAME: "first" }, cfg()).settings.auth.credentials).toMatchObject({ domainName: "first" });
    expect(resolveTarget({}, { ...env, HW_DOMAIN_NAME: "hw", HW_USER_NAME: "hwuser", HW_USER_PASSWORD: "hw-pass" }, cfg()).settings.auth.credentials).toEqual({
      kind: "password",
      domainName: "hw",
      userName: "hwuser",
      password: "hw-pass",
    });
  });

  it("does not read HW_PASSWORD (the Terraform name is HW_USER_PASSWORD)", () => {
    const err = errorOf(() => resolveTarget({}, { HW_REGION_NAME: REGION, HW_DOMAIN_NAME: "acme", HW_USER_NAME: "u", HW_PASSWORD: PASSWORD }, cfg()));
    expect(err.message).toContain("HW_USER_PASSWORD");
  });

  it("reads OS_* first for Open Telekom Cloud", () => {
    const env = { HW_ACCESS_KEY: "AKHW", OS_ACCESS_KEY: "AKOS", HW_SECRET_KEY: "hw-secret", OS_SECRET_KEY: SK };
    expect(resolve({ "ims:cloud": "otc", "ims:region": "eu-de" }, env).settings.auth.credentials).toEqual({ kind: "aksk", accessKey: "AKOS", secretKey: SK });
  });

  it("reads G42_* for G42 Cloud, and not HW_* or OS_*", () => {
    const g42 = { "ims:cloud": "g42", "ims:region": "ae-ad-1" };
    const env = { G42_ACCOUNT_NAME: "acme", G42_USERNAME: "deployer", G42_PASSWORD: PASSWORD, HW_ACCESS_KEY: "AKHW", HW_SECRET_KEY: SK };
    expect(resolve(g42, env).settings.auth.credentials).toEqual({ kind: "password", domainName: "acme", userName: "deployer", password: PASSWORD });
    expect(resolve(g42, { G42_ACCESS_KEY: AK, G42_SECRET_KEY: SK, G42_SECURITY_TOKEN: TOKEN }).settings.auth.credentials).toEqual({
      kind: "aksk",
      accessKey: AK,
      secretKey: SK,
      securityToken: TOKEN,
    });
    const err = errorOf(() => resolve(g42, { OS_ACCESS_KEY: AK, OS_SECRET_KEY: SK }));
    expect(err.message).toContain("G42_ACCESS_KEY");
  });

  it("prefers the config keys to the environment", () => {
    const env = { HW_ACCESS_KEY: "AKENV", HW_SECRET_KEY: "env-secret", HW_SECURITY_TOKEN: "env-token" };
    expect(resolve({ ...base, "ims:securityToken": TOKEN }, env).settings.auth.credentials).toEqual({
      kind: "aksk",
      accessKey: AK,
      secretKey: SK,
      securityToken: TOKEN,
    });
  });

  it("rejects none at all, saying how to set either kind", () => {
    const err = errorOf(() => resolve({ "ims:region": REGION }));
    for (const name of [
      "ims:accessKey",
      "HW_ACCESS_KEY",
      "ims:secretKey",
      "HW_SECRET_KEY",
      "ims:domainName",
      "HW_DOMAIN_NAME",
      "ims:userName",
      "HW_USER_NAME",
      "ims:password",
      "HW_USER_PASSWORD",
    ]) {
      expect(err.message).toContain(name);
    }
    expect(err.message).toMatch(/^No credentials/);
  });

  it("rejects an access key without a secret key", () => {
    const err = errorOf(() => resolve({ "ims:region": REGION, "ims:accessKey": AK }));
    expect(err.message).toContain("ims:accessKey (HW_ACCESS_KEY or OS_ACCESS_KEY) is set");
    expect(err.message).toContain("ims:secretKey (HW_SECRET_KEY or OS_SECRET_KEY) is not");
  });

  it("rejects a secret key without an access key, also when a password is complete", () => {
    const err = errorOf(() =>
      resolve({ "ims:region": REGION, "ims:domainName": "acme", "ims:userName": "u", "ims:password": PASSWORD }, { HW_SECRET_KEY: SK }),
    );
    expect(err.message).toContain("ims:secretKey (HW_SECRET_KEY or OS_SECRET_KEY) is set");
    expect(err.message).toContain("ims:accessKey");
  });

  it("rejects a security token without an access key", () => {
    const err = errorOf(() =>
      resolve({ "ims:region": REGION, "ims:securityToken": TOKEN, "ims:domainName": "acme", "ims:userName": "u", "ims:password": PASSWORD }),
    );
    expect(err.message).toContain("ims:securityToken (HW_SECURITY_TOKEN or OS_SECURITY_TOKEN)");
    expect(err.message).toContain("ims:accessKey");
  });

  it.each([
    ["a password without a user name", { "ims:domainName": "acme", "ims:password": PASSWORD }, ["ims:userName (HW_USER_NAME or OS_USERNAME) is not"]],
    [
      "a password without a domain",
      { "ims:userName": "u", "ims:password": PASSWORD },
      ["ims:domainName (HW_DOMAIN_NAME, OS_DOMAIN_NAME or OS_USER_DOMAIN_NAME) is not"],
    ],
    ["a password alone", { "ims:password": PASSWORD }, ["ims:domainName", "ims:userName", "are not"]],
    ["a user without a password", { "ims:domainName": "acme", "ims:userName": "u" }, ["ims:password (HW_USER_PASSWORD or OS_PASSWORD) is not"]],
    ["a user alone, even beside AK/SK", { ...base, "ims:userName": "u" }, ["ims:password", "ims:domainName"]],
  ])("rejects %s", (_name, config, expected) => {
    const err = errorOf(() => resolve({ "ims:region": REGION, ...config }));
    expect(err.message).toMatch(/^Password authentication needs/);
    for (const text of expected) expect(err.message).toContain(text);
  });
});

describe("project", () => {
  it("is left unset by default: the client uses the project named like the region", () => {
    const auth = resolve(base).settings.auth;
    expect(auth).not.toHaveProperty("projectId");
    expect(auth).not.toHaveProperty("projectName");
  });

  it("comes from the config keys before the environment", () => {
    const env = { HW_PROJECT_ID: "env-id", HW_PROJECT_NAME: "env-name" };
    expect(resolve({ ...base, "ims:projectId": "cfg-id", "ims:projectName": "cfg-name" }, env).settings.auth).toMatchObject({
      projectId: "cfg-id",
      projectName: "cfg-name",
    });
    expect(resolve(base, env).settings.auth).toMatchObject({ projectId: "env-id", projectName: "env-name" });
  });

  it("falls back to OS_PROJECT_* then OS_TENANT_*", () => {
    expect(resolve(base, { OS_TENANT_ID: "tenant-id", OS_TENANT_NAME: "tenant-name" }).settings.auth).toMatchObject({
      projectId: "tenant-id",
      projectName: "tenant-name",
    });
    expect(resolve(base, { OS_PROJECT_ID: "p-id", OS_TENANT_ID: "tenant-id", OS_PROJECT_NAME: "p-name", OS_TENANT_NAME: "t" }).settings.auth).toMatchObject({
      projectId: "p-id",
      projectName: "p-name",
    });
  });

  it("reads G42_PROJECT_NAME for G42 Cloud", () => {
    const target = resolve({ "ims:cloud": "g42", "ims:region": "ae-ad-1", "ims:accessKey": AK, "ims:secretKey": SK }, {
      G42_PROJECT_NAME: "ae-ad-1_dev",
      HW_PROJECT_NAME: "ignored",
    });
    expect(target.settings.auth.projectName).toBe("ae-ad-1_dev");
  });

  it("is not carried to a resource in another region", () => {
    const config = { ...base, "ims:projectId": "id-in-ap-southeast-1", "ims:projectName": "ap-southeast-1_dev" };
    const elsewhere = resolve(config, {}, { region: "ap-southeast-3" }).settings.auth;
    expect(elsewhere).not.toHaveProperty("projectId");
    expect(elsewhere).not.toHaveProperty("projectName");
    expect(resolve(config, {}, { region: REGION }).settings.auth.projectId).toBe("id-in-ap-southeast-1");
  });
});

describe("retries", () => {
  it("reads ims:maxRetries, then HW_MAX_RETRIES (G42_MAX_RETRIES for G42)", () => {
    expect(resolve({ ...base, "ims:maxRetries": "0" }, { HW_MAX_RETRIES: "9" }).settings.retry).toEqual({ maxRetries: 0 });
    expect(resolve(base, { HW_MAX_RETRIES: "9" }).settings.retry).toEqual({ maxRetries: 9 });
    expect(resolve({ ...base, "ims:cloud": "g42", "ims:region": "ae-ad-1" }, { G42_MAX_RETRIES: "20", HW_MAX_RETRIES: "1" }).settings.retry).toEqual({ maxRetries: 20 });
  });

  it.each(["21", "-1", "abc", "1.5", "1e1"])("rejects %s", (value) => {
    const err = errorOf(() => resolve({ ...base, "ims:maxRetries": value }));
    expect(err.message).toContain("ims:maxRetries (HW_MAX_RETRIES)");
    expect(err.message).toContain("0 to 20");
  });

  it("names the variable a bad value came from", () => {
    expect(errorOf(() => resolve(base, { HW_MAX_RETRIES: "lots" })).message).toContain("HW_MAX_RETRIES");
  });
});

describe("endpoints", () => {
  it("ims:endpoint serves every region, without a trailing slash", () => {
    const config = { ...base, "ims:endpoint": "https://ims.internal.example/" };
    expect(resolve(config).settings.endpoint).toBe("https://ims.internal.example");
    expect(resolve(config, {}, { region: "ap-southeast-3" }).settings.endpoint).toBe("https://ims.internal.example");
  });

  it("allows plain http to loopback (the emulator) without ims:allowInsecureHttp", () => {
    const target = resolve({ ...base, "ims:endpoint": "http://127.0.0.1:8080", "ims:authUrl": "http://127.0.0.1:8080/v3" });
    expect(target.settings.endpoint).toBe("http://127.0.0.1:8080");
    expect(target.settings.auth.authUrl).toBe("http://127.0.0.1:8080/v3");
  });

  it("rejects plain http elsewhere unless ims:allowInsecureHttp is true", () => {
    const config = { ...base, "ims:endpoint": "http://ims.lab.example" };
    const err = errorOf(() => resolve(config));
    expect(err.message).toContain("ims:endpoint");
    expect(err.message).toContain("ims:allowInsecureHttp");
    const target = resolve({ ...config, "ims:allowInsecureHttp": "true" });
    expect(target.settings.endpoint).toBe("http://ims.lab.example");
    expect(target.settings.transport).toEqual({ allowInsecureHttp: true });
  });

  it("reads ims:allowInsecureHttp as true or false only", () => {
    expect(resolve({ ...base, "ims:allowInsecureHttp": "False" }).settings.transport).toEqual({ allowInsecureHttp: false });
    expect(errorOf(() => resolve({ ...base, "ims:allowInsecureHttp": "yes" })).message).toContain("ims:allowInsecureHttp");
  });

  it.each([
    ["ims:endpoint", { "ims:endpoint": "ftp://ims.example" }],
    ["ims:endpoint", { "ims:endpoint": "ims.example.com" }],
    ["ims:authUrl", { "ims:authUrl": "iam.example.com/v3" }],
    ["ims:endpoints.ims", { "ims:endpoints": '{"ims":"file:///etc/passwd"}' }],
    ["ims:endpoints.iam.ap-southeast-1", { "ims:endpoints": '{"iam":{"ap-southeast-1":"gopher://iam"}}' }],
  ])("rejects a URL that is not http(s) in %s", (key, config) => {
    const err = errorOf(() => resolve({ ...base, ...config }));
    expect(err.message).toContain(`${key}: `);
    expect(err.message).toContain("is not an http(s) URL");
  });

  it("names the variables of a bad auth URL from the environment", () => {
    const err = errorOf(() => resolve(base, { HW_AUTH_URL: "ldap://iam" }));
    expect(err.message).toContain("ims:authUrl (HW_AUTH_URL or OS_AUTH_URL)");
  });

  it("rejects URLs with a user name and password without repeating them", () => {
    const err = errorOf(() => resolve({ ...base, "ims:endpoint": `https://user:${PASSWORD}@ims.example` }));
    expect(err.message).toContain("ims:endpoint");
    expect(err.message).not.toContain(PASSWORD);
  });

  it("ims:endpoints.ims: a region's entry beats ims:endpoint, which beats a string for all regions", () => {
    const config = {
      ...base,
      "ims:endpoint": "https://shared.example",
      "ims:endpoints": JSON.stringify({ ims: { "ap-southeast-3": "https://ims-ap3.example/" } }),
    };
    expect(resolve(config, {}, { region: "ap-southeast-3" }).settings.endpoint).toBe("https://ims-ap3.example");
    expect(resolve(config).settings.endpoint).toBe("https://shared.example");
    expect(resolve({ ...base, "ims:endpoints": '{"ims":"https://all.example"}' }).settings.endpoint).toBe("https://all.example");
    expect(resolve({ ...base, "ims:endpoint": "https://key.example", "ims:endpoints": '{"ims":"https://all.example"}' }).settings.endpoint).toBe(
      "https://key.example",
    );
    expect(resolve({ ...base, "ims:endpoints": '{"ims":{"cn-north-4":"https://x.example"}}' }).settings.endpoint).toBe(
      "https://ims.ap-southeast-1.myhuaweicloud.com",
    );
  });

  it("ims:endpoints.iam: a region's entry beats ims:authUrl, which beats a string, which beats the environment", () => {
    const env = { HW_AUTH_URL: "https://iam.env.example/v3" };
    const perRegion = JSON.stringify({ iam: { [REGION]: "https://iam-region.example/v3" } });
    expect(resolve({ ...base, "ims:endpoints": perRegion, "ims:authUrl": "https://key.example/v3" }, env).settings.auth.authUrl).toBe(
      "https://iam-region.example/v3",
    );
    expect(resolve({ ...base, "ims:authUrl": "https://key.example/v3", "ims:endpoints": '{"iam":"https://s.example/v3"}' }, env).settings.auth.authUrl).toBe(
      "https://key.example/v3",
    );
    expect(resolve({ ...base, "ims:endpoints": '{"iam":"https://s.example/v3"}' }, env).settings.auth.authUrl).toBe("https://s.example/v3");
    expect(resolve(base, env).settings.auth.authUrl).toBe("https://iam.env.example/v3");
    expect(resolve(base, { OS_AUTH_URL: "https://iam.os.example/v3" }).settings.auth.authUrl).toBe("https://iam.os.example/v3");
    expect(resolve({ ...base, "ims:cloud": "g42", "ims:region": "ae-ad-1" }, { G42_AUTH_URL: "https://iam.g42.example/v3", HW_AUTH_URL: "https://no.example/v3" }).settings.auth.authUrl).toBe(
      "https://iam.g42.example/v3",
    );
  });

  it("adds /v3 to an auth URL without a path", () => {
    expect(resolve({ ...base, "ims:endpoints": '{"iam":"https://iam.example/"}' }).settings.auth.authUrl).toBe("https://iam.example/v3");
    expect(resolve({ ...base, "ims:authUrl": "https://iam.example" }).settings.auth.authUrl).toBe("https://iam.example/v3");
    expect(resolve({ ...base, "ims:authUrl": "https://iam.example/v3/" }).settings.auth.authUrl).toBe("https://iam.example/v3");
  });

  it.each([
    ["malformed JSON", "{ims:", "is not valid JSON"],
    ["an array", '["https://x"]', "must be a JSON object"],
    ["an unknown service", '{"vpc":"https://vpc.example"}', 'unknown key "vpc"; the keys are ims, iam'],
    ["a number for a service", '{"ims":42}', "ims:endpoints.ims must be a URL"],
    ["a number for a region", '{"ims":{"ap-southeast-1":42}}', "ims:endpoints.ims.ap-southeast-1 must be a URL"],
  ])("rejects ims:endpoints with %s", (_name, value, expected) => {
    const err = errorOf(() => resolve({ ...base, "ims:endpoints": value }));
    expect(err.message).toContain("ims:endpoints");
    expect(err.message).toContain(expected);
  });
});

describe("timeouts", () => {
  it("reads ims:timeouts, keeping the defaults for what it leaves out", () => {
    expect(resolve({ ...base, "ims:timeouts": '{"create":"1h","delete":90}' }).timeouts).toEqual({
      createMs: 3_600_000,
      updateMs: 600_000,
      deleteMs: 90_000,
    });
    expect(resolve({ ...base, "ims:timeouts": '{"create":"45m","update":"2m30s","delete":"1h30m"}' }).timeouts).toEqual({
      createMs: 2_700_000,
      updateMs: 150_000,
      deleteMs: 5_400_000,
    });
  });

  it("tells which budgets ims:timeouts sets, so that a resource kind's own defaults yield only to those", () => {
    const target = resolve({ ...base, "ims:timeouts": '{"delete":"5m"}' });
    expect(target.configuredTimeouts).toEqual({ deleteMs: 300_000 });
    // A kind with a 60 min create default (copies) keeps it; the configured delete budget wins over its own.
    expect(timeoutsOf(undefined, target, { createMs: 3_600_000, deleteMs: 60_000 })).toEqual({ createMs: 3_600_000, updateMs: 600_000, deleteMs: 300_000 });
    // The resource's own timeouts win over both.
    expect(timeoutsOf({ create: "10m" }, target, { createMs: 3_600_000 })).toMatchObject({ createMs: 600_000 });
  });

  it.each([
    ["malformed JSON", '{"create":', "ims:timeouts is not valid JSON"],
    ["a string", '"30m"', "ims:timeouts must be a JSON object"],
    ["an unknown key", '{"read":"5m"}', 'ims:timeouts has an unknown key "read"; the keys are create, update, delete'],
    ["an invalid duration", '{"create":"soon"}', 'ims:timeouts.create: "soon" is not a duration'],
    ["a boolean", '{"update":true}', "ims:timeouts.update: true is not a duration"],
    ["zero", '{"delete":"0s"}', "ims:timeouts.delete"],
  ])("rejects %s", (_name, value, expected) => {
    expect(errorOf(() => resolve({ ...base, "ims:timeouts": value })).message).toContain(expected);
  });
});

describe("parseDuration", () => {
  it.each([
    ["90s", 90_000],
    ["30m", 1_800_000],
    ["1h", 3_600_000],
    ["1h30m", 5_400_000],
    ["1h30m15s", 5_415_000],
    ["2m30s", 150_000],
    [" 10M ", 600_000],
    ["120", 120_000],
    ["1.5", 1_500],
    [45, 45_000],
    [0.25, 250],
  ] as const)("%s → %d ms", (value, ms) => {
    expect(parseDuration(value, "timeout")).toBe(ms);
  });

  it.each(["", "abc", "30x", "1m1h", "1d", "-5", "1.5h", "h", "5 m", "1h 30m"])("rejects %j", (value) => {
    const err = errorOf(() => parseDuration(value, "ims:timeouts.create"));
    expect(err.message).toContain("ims:timeouts.create");
    expect(err.message).toContain("is not a duration");
    expect(err.message).toContain('"90s"');
  });

  it.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY])("rejects the number %d", (value) => {
    expect(errorOf(() => parseDuration(value, "timeouts.create")).message).toContain("timeouts.create");
  });

  it("rejects zero and durations longer than a Node.js timer", () => {
    expect(errorOf(() => parseDuration("0s", "t")).message).toContain("positive");
    expect(errorOf(() => parseDuration("0", "t")).message).toContain("positive");
    expect(parseDuration("596h", "t")).toBe(596 * 3_600_000);
    expect(errorOf(() => parseDuration("597h", "t")).message).toContain("596h");
  });
});

describe("profiles", () => {
  const profiles = {
    analytics: { accessKey: "AKANALYTICS", secretKey: PROFILE_SK, projectId: "analytics-project", region: "ap-southeast-3" },
    "ops-team": { domainName: "ops", userName: "robot", region: "cn-north-4" },
    bare: { accessKey: "AKBARE" },
  };
  const config = { ...base, "ims:projectId": "provider-project", "ims:profiles": JSON.stringify(profiles) };

  it("take credentials, project and region from the set", () => {
    const target = resolve(config, {}, { profile: "analytics" });
    expect(target.profile).toBe("analytics");
    expect(target.region).toBe("ap-southeast-3");
    expect(target.settings.endpoint).toBe("https://ims.ap-southeast-3.myhuaweicloud.com");
    expect(target.settings.auth).toStrictEqual({
      credentials: { kind: "aksk", accessKey: "AKANALYTICS", secretKey: PROFILE_SK },
      authUrl: "https://iam.ap-southeast-3.myhuaweicloud.com/v3",
      region: "ap-southeast-3",
      projectId: "analytics-project",
    });
  });

  it("leave target.profile unset without a profile", () => {
    expect(resolve(config)).not.toHaveProperty("profile");
  });

  it("do not borrow the provider's project", () => {
    const target = resolve(config, { IMS_PROFILE_BARE_SECRET_KEY: PROFILE_SK }, { profile: "bare" });
    expect(target.settings.auth).not.toHaveProperty("projectId");
    expect(target.region).toBe(REGION);
  });

  it("yield to the resource's own region, whose default project is then used", () => {
    const target = resolve(config, {}, { profile: "analytics", region: "cn-north-4" });
    expect(target.region).toBe("cn-north-4");
    expect(target.settings.auth).not.toHaveProperty("projectId");
    expect(target.settings.auth.credentials).toMatchObject({ accessKey: "AKANALYTICS" });
  });

  it("ignore the provider's credentials, even incomplete ones", () => {
    const target = resolve({ ...config, "ims:secretKey": "" }, { HW_USER_NAME: "someone" }, { profile: "analytics" });
    expect(target.settings.auth.credentials).toEqual({ kind: "aksk", accessKey: "AKANALYTICS", secretKey: PROFILE_SK });
  });

  it("take secrets from IMS_PROFILE_<NAME>_* (the name upper-cased, other characters as _)", () => {
    const env = {
      IMS_PROFILE_OPS_TEAM_PASSWORD: PROFILE_PASSWORD,
      IMS_PROFILE_BARE_SECRET_KEY: PROFILE_SK,
      IMS_PROFILE_BARE_SECURITY_TOKEN: TOKEN,
    };
    expect(resolve(config, env, { profile: "ops-team" }).settings.auth.credentials).toEqual({
      kind: "password",
      domainName: "ops",
      userName: "robot",
      password: PROFILE_PASSWORD,
    });
    expect(resolve(config, env, { profile: "bare" }).settings.auth.credentials).toEqual({
      kind: "aksk",
      accessKey: "AKBARE",
      secretKey: PROFILE_SK,
      securityToken: TOKEN,
    });
  });

  it("prefer a secret in the config to its variable", () => {
    const target = resolve(config, { IMS_PROFILE_ANALYTICS_SECRET_KEY: "from-env" }, { profile: "analytics" });
    expect(target.settings.auth.credentials).toMatchObject({ secretKey: PROFILE_SK });
  });

  it("reject an unknown profile, naming those that exist", () => {
    const err = errorOf(() => resolve(config, {}, { profile: "finance" }));
    expect(err.message).toContain('"finance"');
    expect(err.message).toContain("ims:profiles");
    expect(err.message).toContain('"analytics", "ops-team", "bare"');
  });

  it("reject a profile when ims:profiles is not set", () => {
    const err = errorOf(() => resolve(base, {}, { profile: "analytics" }));
    expect(err.message).toContain("ims:profiles is not set");
    expect(err.message).toContain("pulumi config set --path ims:profiles.");
  });

  it("reject an incomplete profile, naming the profile keys and variables", () => {
    const err = errorOf(() => resolve(config, {}, { profile: "bare" }));
    expect(err.message).toContain('in profile "bare"');
    expect(err.message).toContain("ims:profiles.bare.secretKey (IMS_PROFILE_BARE_SECRET_KEY)");
    const password = errorOf(() => resolve(config, {}, { profile: "ops-team" }));
    expect(password.message).toContain("ims:profiles.ops-team.password (IMS_PROFILE_OPS_TEAM_PASSWORD) is not");
  });

  it("reject a profile without credentials", () => {
    const err = errorOf(() => resolve({ ...base, "ims:profiles": '{"empty":{"region":"cn-north-4"}}' }, {}, { profile: "empty" }));
    expect(err.message).toMatch(/^No credentials in profile "empty"/);
    expect(err.message).toContain("ims:profiles.empty.accessKey");
  });

  it.each([
    ["malformed JSON (an unquoted secret)", `{"analytics":{"secretKey":${PROFILE_SK}}}`, "ims:profiles is not valid JSON"],
    ["a list", "[]", "ims:profiles must be a JSON object"],
    ["a profile that is not an object", '{"analytics":"AK"}', "ims:profiles.analytics must be an object"],
    ["an unknown field", `{"analytics":{"access_key":"AK","secret_key":"${PROFILE_SK}"}}`, 'ims:profiles.analytics has an unknown key "access_key"'],
    ["a field that is not a string", `{"analytics":{"accessKey":"AK","secretKey":["${PROFILE_SK}"]}}`, "ims:profiles.analytics.secretKey must be a string"],
    ["a malformed region", '{"analytics":{"accessKey":"AK","secretKey":"s","region":"Mars"}}', "ims:profiles.analytics.region"],
  ])("reject %s", (_name, value, expected) => {
    const err = errorOf(() => resolve({ ...base, "ims:profiles": value }, {}, { profile: "analytics" }));
    expect(err.message).toContain(expected);
    // The JSON parser quotes pieces of the text it read: not even a piece may show.
    expect(err.message).not.toContain(PROFILE_SK.slice(0, 8));
  });

  it("are only read when a resource names one", () => {
    expect(resolve({ ...base, "ims:profiles": "{broken" }).region).toBe(REGION);
  });

  it("need a region from somewhere", () => {
    const err = errorOf(() => resolve({ "ims:profiles": JSON.stringify(profiles) }, { IMS_PROFILE_BARE_SECRET_KEY: PROFILE_SK }, { profile: "bare" }));
    expect(err.message).toContain("ims:profiles.bare.region");
    expect(err.message).toContain("ims:region (HW_REGION_NAME or OS_REGION_NAME)");
  });
});

describe("error messages never contain credential values", () => {
  const everywhere = { HW_SECRET_KEY: SK, HW_SECURITY_TOKEN: TOKEN, HW_USER_PASSWORD: PASSWORD };
  it.each([
    ["secret key without access key", { "ims:region": REGION, "ims:secretKey": SK }, {}, {}],
    ["security token without access key", { "ims:region": REGION, "ims:securityToken": TOKEN }, {}, {}],
    ["password without user", { "ims:region": REGION, "ims:password": PASSWORD }, {}, {}],
    ["secrets in env, no region", {}, everywhere, {}],
    ["secrets in env, bad cloud", { "ims:cloud": "azure" }, everywhere, {}],
    ["bad endpoint", { ...base, "ims:password": PASSWORD, "ims:endpoint": "nope" }, {}, {}],
    ["bad maxRetries", { ...base, "ims:maxRetries": "x" }, everywhere, {}],
    ["bad timeouts", { ...base, "ims:timeouts": "{x" }, everywhere, {}],
    ["malformed profiles with secrets", { ...base, "ims:profiles": `{"p":{"password":"${PROFILE_PASSWORD}","secretKey":${PROFILE_SK}}}` }, {}, { profile: "p" }],
    ["profile secret from env only", { ...base, "ims:profiles": '{"p":{}}' }, { IMS_PROFILE_P_SECRET_KEY: PROFILE_SK }, { profile: "p" }],
    ["profile password without user", { ...base, "ims:profiles": `{"p":{"password":"${PROFILE_PASSWORD}"}}` }, {}, { profile: "p" }],
  ])("%s", (_name, config, env, options) => {
    const err = errorOf(() => resolve(config, env, options));
    for (const secret of SECRETS) expect(err.message).not.toContain(secret.slice(0, 8));
  });
});

describe("clientFor", () => {
  const saved: Record<string, string | undefined> = {};
  const stack = {
    ...base,
    "ims:profiles": JSON.stringify({ analytics: { accessKey: "AKANALYTICS", secretKey: PROFILE_SK }, other: { accessKey: "AKOTHER", secretKey: PROFILE_SK } }),
  };

  beforeEach(() => {
    // The machine's own credentials must not leak into these tests.
    for (const name of Object.keys(process.env)) {
      if (/^(HW|OS|G42|IMS)_/.test(name)) {
        saved[name] = process.env[name];
        delete process.env[name];
      }
    }
    void configure({ config: cfg(stack) } as unknown as pulumi.dynamic.ConfigureRequest);
  });

  afterEach(() => {
    for (const [name, value] of Object.entries(saved)) process.env[name] = value;
  });

  it("builds a client for the resolved target", () => {
    const { client, target } = clientFor({});
    expect(client).toBeInstanceOf(ImsClient);
    expect(target).toEqual(resolveTarget({}, {}, cfg(stack)));
    expect(client.api.endpoint).toBe("https://ims.ap-southeast-1.myhuaweicloud.com");
  });

  it("reuses one client per region and profile", () => {
    const first = clientFor({}).client;
    expect(clientFor({}).client).toBe(first);
    expect(clientFor({ region: REGION }).client).toBe(first);
    const analytics = clientFor({ profile: "analytics" }).client;
    expect(analytics).not.toBe(first);
    expect(clientFor({ profile: "analytics" }).client).toBe(analytics);
    expect(clientFor({ profile: "other" }).client).not.toBe(analytics);
    const elsewhere = clientFor({ region: "ap-southeast-3" }).client;
    expect(elsewhere).not.toBe(first);
    expect(clientFor({ region: "ap-southeast-3" }).client).toBe(elsewhere);
  });

  it("reads process.env", () => {
    process.env.HW_MAX_RETRIES = "2";
    expect(clientFor({}).target.settings.retry).toEqual({ maxRetries: 2 });
  });

  it("builds a new client when the configuration changes", () => {
    const before = clientFor({}).client;
    void configure({ config: cfg({ ...stack, "ims:endpoint": "https://ims.changed.example" }) } as unknown as pulumi.dynamic.ConfigureRequest);
    const after = clientFor({});
    expect(after.client).not.toBe(before);
    expect(after.client.api.endpoint).toBe("https://ims.changed.example");
  });

  it("throws ConfigError for a bad configuration", () => {
    expect(() => clientFor({ profile: "missing" })).toThrow(ConfigError);
  });

  it("resolves the settings once while neither the configuration nor any variable it read changes", () => {
    const first = clientFor({ region: "ap-southeast-3" });
    expect(clientFor({ region: "ap-southeast-3" }).target).toBe(first.target);
    // A variable read by the resolution, set afterwards, is seen on the next call.
    process.env.HW_MAX_RETRIES = "4";
    const retried = clientFor({ region: "ap-southeast-3" });
    expect(retried.target).not.toBe(first.target);
    expect(retried.target.settings.retry).toEqual({ maxRetries: 4 });
    // So is one that is removed again, and credentials from the environment.
    delete process.env.HW_MAX_RETRIES;
    expect(clientFor({ region: "ap-southeast-3" }).target.settings.retry).toEqual(first.target.settings.retry);
    process.env.HW_ACCESS_KEY = "AKFROMENV";
    process.env.HW_SECRET_KEY = PROFILE_SK;
    try {
      void configure({ config: cfg({ "ims:region": REGION }) } as unknown as pulumi.dynamic.ConfigureRequest);
      const fromEnv = clientFor({});
      expect(fromEnv.target.settings.auth.credentials).toMatchObject({ accessKey: "AKFROMENV" });
      process.env.HW_ACCESS_KEY = "AKROTATED";
      const rotated = clientFor({});
      expect(rotated.target.settings.auth.credentials).toMatchObject({ accessKey: "AKROTATED" });
      expect(rotated.client).not.toBe(fromEnv.client);
    } finally {
      delete process.env.HW_ACCESS_KEY;
      delete process.env.HW_SECRET_KEY;
    }
  });

  it("reads a CA file again when it changed since the resolution", () => {
    const dir = mkdtempSync(join(tmpdir(), "pulumi-ims-ca-"));
    try {
      const pem = join(dir, "ca.pem");
      writeFileSync(pem, "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
      void configure({ config: cfg({ ...stack, "ims:caCertFile": pem }) } as unknown as pulumi.dynamic.ConfigureRequest);
      const first = clientFor({});
      expect(clientFor({}).target).toBe(first.target);
      writeFileSync(pem, "-----BEGIN CERTIFICATE-----\nMIIBrotated\n-----END CERTIFICATE-----\n");
      const after = clientFor({});
      expect(after.target.settings.transport).toMatchObject({ ca: expect.stringContaining("MIIBrotated") });
      expect(after.client).not.toBe(first.client);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("a project without its region", () => {
  it("is refused: a project id belongs to one region and would otherwise be sent to every region", () => {
    const err = errorOf(() => resolve({ "ims:accessKey": AK, "ims:secretKey": SK, "ims:projectId": "0123456789abcdef0123456789abcdef" }, {}, { region: REGION }));
    expect(err.message).toMatch(/A project is configured without the region it belongs to: set ims:region/);
    const named = errorOf(() => resolve({ "ims:accessKey": AK, "ims:secretKey": SK }, { HW_PROJECT_NAME: "ap-southeast-1_analytics" }, { region: REGION }));
    expect(named.message).toMatch(/ims:region/);
  });

  it("is kept for its own region and left out elsewhere", () => {
    const config = { ...base, "ims:projectId": "0123456789abcdef0123456789abcdef" };
    expect(resolve(config).settings.auth.projectId).toBe("0123456789abcdef0123456789abcdef");
    expect(resolve(config, {}, { region: "ap-southeast-3" }).settings.auth.projectId).toBeUndefined();
  });
});
