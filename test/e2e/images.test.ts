/**
 * PrivateImage and DataImage with the real Pulumi CLI, pulumi-ims installed from its npm tarball
 * into a fresh TypeScript project, against ims-emulator: drift shown by refresh and repaired by up,
 * a failed creation job recorded in state and replaced by the next up, throttling, server errors
 * and connection resets on a fifth of all requests, a refresh of many images from one listing, 16
 * images made and deleted at once under a rate limit of 5 requests/s, adoption of an existing image,
 * and credentials that never reach the state or the CLI's output.
 *
 * One program serves every scenario: it declares the images listed in `images.<stack>.json`, which
 * the tests rewrite between steps. Each scenario has its own stack and its own emulator.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import type { Image } from "../../emulator/domain/model";
import { startTestEmulator, type TestEmulator } from "../helpers/emulator";
import { diffOf, PulumiWorkspace, installPackedProject, run, type StateResource } from "../helpers/pulumi-cli";

jest.setTimeout(180_000);

const PRIVATE_IMAGE = "pulumi-nodejs:dynamic/ims:PrivateImage";
const DATA_IMAGE = "pulumi-nodejs:dynamic/ims:DataImage";
const NODEJS_PROVIDER = "pulumi:providers:pulumi-nodejs";
/** Pulumi's marker of a secret value in a checkpoint. */
const SECRET_SIG = "4dabf18193072939515e22adb298388d";
const UBUNTU = { imageUrl: "images-bucket:ubuntu-24.04.qcow2", osVersion: "Ubuntu 24.04 server 64bit", minDisk: 40 };
const DATA_DISK = { imageUrl: "images-bucket:data-disk.vhd", minDisk: 40 };
/** The routes that make an image. */
const CREATE_ROUTES = [
  "/v2/cloudimages/action",
  "/v2/cloudimages/quickimport/action",
  "/v1/cloudimages/dataimages/action",
  "/v1/cloudimages/wholeimages/action",
  "/v2/images",
];
/** The default user of the emulator's world (password authentication). */
const USER = { domain: "ims-emulator", name: "ims-user", password: "ims-emulator-password" };
/** Every credential variable the provider reads: each scenario sets only its own. */
const CREDENTIAL_ENV = [
  "HW_ACCESS_KEY", "OS_ACCESS_KEY", "HW_SECRET_KEY", "OS_SECRET_KEY", "HW_SECURITY_TOKEN", "OS_SECURITY_TOKEN",
  "HW_DOMAIN_NAME", "OS_DOMAIN_NAME", "OS_USER_DOMAIN_NAME", "HW_USER_NAME", "OS_USERNAME", "HW_USER_PASSWORD", "OS_PASSWORD",
  "HW_PROJECT_ID", "OS_PROJECT_ID", "HW_PROJECT_NAME", "OS_PROJECT_NAME", "HW_REGION_NAME", "OS_REGION_NAME", "IMS_CLOUD",
];

/** The program: one resource per entry of the stack's JSON file. */
const PROGRAM = `import { readFileSync } from "node:fs";
import * as pulumi from "@pulumi/pulumi";
import * as ims from "pulumi-ims";

type Declared = { kind: "PrivateImage"; args: ims.PrivateImageArgs } | { kind: "DataImage"; args: ims.DataImageArgs };

const declared = JSON.parse(readFileSync(\`images.\${pulumi.getStack()}.json\`, "utf8")) as Record<string, Declared>;

export const ids: Record<string, pulumi.Output<string>> = {};
export const names: Record<string, pulumi.Output<string>> = {};
for (const [name, d] of Object.entries(declared)) {
  const image = d.kind === "DataImage" ? new ims.DataImage(name, d.args) : new ims.PrivateImage(name, d.args);
  ids[name] = image.id;
  names[name] = image.name;
}
`;

/** What the tests declare of an image: the part of the SDK's arguments they use, as JSON. */
interface PrivateImageArgs {
  name: string;
  description?: string;
  minRam?: number;
  tags?: Record<string, string>;
  adoptImageId?: string;
  source: Record<string, unknown>;
}

type Declared = { kind: "PrivateImage"; args: PrivateImageArgs } | { kind: "DataImage"; args: Omit<PrivateImageArgs, "minRam"> };

type Checkpoint = { deployment: { resources?: StateResource[] } };

const ws = new PulumiWorkspace("e2e-images");
/** Every checkpoint exported during the tests, as text (searched for credentials at the end). */
const exported: string[] = [];
/** Every credential value the tests handed to the provider. */
const credentials = new Set<string>([USER.password]);

/** One stack of the program, against its own emulator, with its own credentials. */
class Scenario {
  /** The secret key given as a secret config value, if any. */
  configuredSecret?: string;

  private constructor(
    readonly stack: string,
    readonly emu: TestEmulator,
    readonly env: Record<string, string | undefined>,
  ) {}

  /**
   * A stack configured for a fresh emulator. `auth`: AK/SK in the environment, a password in the
   * environment (IAM tokens), or an access key in the environment and its secret as a secret config.
   */
  static async start(stack: string, auth: "aksk" | "password" | "secret-config", jobMs = 400): Promise<Scenario> {
    const emu = await startTestEmulator({ jobMs });
    const env: Record<string, string | undefined> = Object.fromEntries(CREDENTIAL_ENV.map((name) => [name, undefined]));
    // The provider prints every request and answer: what it prints must hold no credential either.
    env.PULUMI_IMS_DEBUG = "1";
    const config: [string, string, boolean][] = [
      ["ims:region", "ap-southeast-1", false],
      ["ims:endpoint", emu.url, false],
      ["ims:authUrl", `${emu.url}/v3`, false],
    ];
    if (auth === "aksk") {
      const key = emu.accessKey("ap-southeast-1");
      credentials.add(key.secret);
      env.HW_ACCESS_KEY = key.access;
      env.HW_SECRET_KEY = key.secret;
    } else if (auth === "password") {
      env.HW_DOMAIN_NAME = USER.domain;
      env.HW_USER_NAME = USER.name;
      env.HW_USER_PASSWORD = USER.password;
    } else {
      // A key of its own, so that its secret is a value no other scenario uses.
      const res = await emu.request<{ access: string; secret: string }>("POST", "/_emulator/access-keys", { body: { projectId: emu.projectId() } });
      if (res.status !== 201) throw new Error(`creating an access key failed: ${res.status} ${res.text}`);
      credentials.add(res.body.secret);
      env.HW_ACCESS_KEY = res.body.access;
      config.push(["ims:secretKey", res.body.secret, true]);
    }
    const scenario = new Scenario(stack, emu, env);
    const secretConfig = config.find(([, , secret]) => secret);
    if (secretConfig) scenario.configuredSecret = secretConfig[1];
    try {
      await ws.pulumi(["stack", "init", stack]);
      for (const [key, value, secret] of config) await scenario.pulumi(["config", "set", key, value, ...(secret ? ["--secret"] : [])]);
    } catch (error) {
      await emu.close();
      throw error;
    }
    return scenario;
  }

  /** Rewrites the list of images the program declares. */
  declare(images: Record<string, Declared>): void {
    ws.write(`images.${this.stack}.json`, JSON.stringify(images, null, 2));
  }

  pulumi(args: readonly string[]): Promise<string> {
    return ws.pulumi([...args, "--stack", this.stack], { env: this.env });
  }

  async pulumiResult(args: readonly string[]): Promise<{ code: number; output: string }> {
    const result = await ws.pulumiResult([...args, "--stack", this.stack], { env: this.env });
    return { code: result.code, output: `${result.stdout}\n${result.stderr}` };
  }

  async checkpoint(): Promise<Checkpoint> {
    const text = await this.pulumi(["stack", "export"]);
    exported.push(text);
    return JSON.parse(text) as Checkpoint;
  }

  /** The stack's image resources, by resource name. */
  async resources(): Promise<Record<string, StateResource>> {
    const all = (await this.checkpoint()).deployment.resources ?? [];
    return Object.fromEntries(all.filter((r) => r.type === PRIVATE_IMAGE || r.type === DATA_IMAGE).map((r) => [r.urn.split("::").pop()!, r]));
  }

  /** The private images of the emulator (not deleted). */
  images(): Image[] {
    return this.emu.world.state.images.filter((i) => i.imagetype === "private" && i.status !== "deleted");
  }

  image(id: string | undefined): Image {
    const image = this.images().find((i) => i.id === id);
    if (!image) throw new Error(`the emulator has no private image ${id}`);
    return image;
  }

  close(): Promise<void> {
    return this.emu.close();
  }
}

/** Tags of an emulator image as an object. */
const tagsOf = (image: Image): Record<string, string> => Object.fromEntries(image.tags.map((t) => [t.key, t.value]));


beforeAll(async () => {
  await installPackedProject(ws, "e2e-images", PROGRAM);
}, 240_000);

afterAll(() => ws.cleanup());

describe("drift: up, refresh shows an out-of-band change, up repairs it, destroy", () => {
  let s: Scenario;
  const golden: PrivateImageArgs = {
    name: "e2e-golden",
    description: "Golden image, declared",
    minRam: 1024,
    tags: { team: "platform", env: "e2e" },
    source: UBUNTU,
  };
  let goldenId = "";
  let logsId = "";

  beforeAll(async () => {
    s = await Scenario.start("drift", "aksk");
  });
  afterAll(() => s?.close());

  it("creates a PrivateImage and a DataImage with the declared attributes", async () => {
    s.declare({ golden: { kind: "PrivateImage", args: golden }, logs: { kind: "DataImage", args: { name: "e2e-logs", source: DATA_DISK } } });
    await s.pulumi(["up", "--yes"]);

    const state = await s.resources();
    expect(Object.keys(state).sort()).toEqual(["golden", "logs"]);
    goldenId = state.golden.id!;
    logsId = state.logs.id!;
    expect(state.golden.outputs).toMatchObject({ name: "e2e-golden", status: "active", diskFormat: "qcow2", minRam: 1024 });
    expect(state.logs.outputs).toMatchObject({ name: "e2e-logs", status: "active", diskFormat: "vhd", virtualEnvType: "DataImage" });

    const image = s.image(goldenId);
    expect(image).toMatchObject({ name: "e2e-golden", description: "Golden image, declared", minRam: 1024, status: "active" });
    expect(tagsOf(image)).toEqual({ team: "platform", env: "e2e" });
    expect(s.image(logsId)).toMatchObject({ name: "e2e-logs", status: "active", virtualEnvType: "DataImage" });
    expect(s.images()).toHaveLength(2);
  });

  it("previews no changes right after up", async () => {
    const preview = await s.pulumiResult(["preview", "--expect-no-changes"]);
    expect(preview).toMatchObject({ code: 0 });
  });

  it("refresh reports exactly the out-of-band change and records it", async () => {
    const patch = await s.emu.request("PATCH", `/_emulator/images/${goldenId}`, {
      body: { name: "renamed-in-console", description: "Changed in the console", minRam: 2048, tags: { team: "platform", env: "drifted" } },
    });
    expect(patch.status).toBe(200);

    const refresh = await s.pulumi(["refresh", "--yes"]);
    expect(diffOf(refresh, "golden", "updated")).toBe("~description,minRam,name,tags");
    expect(diffOf(refresh, "logs", "updated")).toBeUndefined();
    expect(refresh).toMatch(/~ 1 updated/);
    expect(refresh).toMatch(/2 unchanged/);

    const state = await s.resources();
    const drifted = { name: "renamed-in-console", description: "Changed in the console", minRam: 2048, tags: { team: "platform", env: "drifted" } };
    expect(state.golden.id).toBe(goldenId);
    expect(state.golden.outputs).toMatchObject(drifted);
    expect(state.golden.inputs).toMatchObject(drifted);
    expect([state.golden.inputs?.tags, state.golden.outputs?.tags]).toEqual([drifted.tags, drifted.tags]);
    expect(state.logs.outputs).toMatchObject({ name: "e2e-logs" });
  });

  it("up brings the image back to the declared attributes, in place", async () => {
    const up = await s.pulumi(["up", "--yes"]);
    expect(diffOf(up, "golden", "updated")).toBe("~description,minRam,name,tags");
    expect(up).toMatch(/~ 1 updated/);

    const image = s.image(goldenId);
    expect(image).toMatchObject({ name: "e2e-golden", description: "Golden image, declared", minRam: 1024, status: "active" });
    expect(tagsOf(image)).toEqual({ team: "platform", env: "e2e" });
    expect(s.images().map((i) => i.id).sort()).toEqual([goldenId, logsId].sort());

    const state = await s.resources();
    expect(state.golden.id).toBe(goldenId);
    expect(state.golden.outputs).toMatchObject({ name: "e2e-golden", description: "Golden image, declared", minRam: 1024, tags: { team: "platform", env: "e2e" } });
    expect(await s.pulumiResult(["preview", "--expect-no-changes"])).toMatchObject({ code: 0 });
  });

  it("destroy deletes every image", async () => {
    await s.pulumi(["destroy", "--yes"]);
    expect(s.images()).toEqual([]);
    expect(await s.resources()).toEqual({});
  });
});

describe("a creation job that fails: recorded in state, replaced by the next up", () => {
  let s: Scenario;
  let failedId = "";
  const flaky: Record<string, Declared> = {
    flaky: { kind: "PrivateImage", args: { name: "e2e-flaky", tags: { team: "platform" }, source: UBUNTU } },
  };

  beforeAll(async () => {
    s = await Scenario.start("jobfail", "aksk");
  });
  afterAll(() => s?.close());

  it("up fails, and the image is in the state with its id and the failure", async () => {
    const rule = await s.emu.request("POST", "/_emulator/job-failures", {
      body: { jobType: "imsImportImageJob", count: 1, errorCode: "IMG.0057", failReason: "Injected: the image file cannot be read." },
    });
    expect(rule.status).toBe(201);
    s.declare(flaky);

    const up = await s.pulumiResult(["up", "--yes"]);
    expect(up.code).not.toBe(0);
    expect(up.output).toContain("Injected: the image file cannot be read.");

    const state = await s.resources();
    expect(Object.keys(state)).toEqual(["flaky"]);
    failedId = state.flaky.id ?? "";
    expect(failedId).toMatch(/^[0-9a-f-]{36}$/);
    expect(state.flaky.initErrors?.join("\n")).toContain("The next pulumi up replaces the image");
    expect(state.flaky.outputs).toMatchObject({ name: "e2e-flaky", failure: { code: "IMG.0057", reason: "Injected: the image file cannot be read." } });
    expect(typeof state.flaky.outputs?.__provider).toBe("string");
    expect(s.image(failedId)).toMatchObject({ name: "e2e-flaky", status: "killed" });
  });

  it("the next up replaces it, leaving exactly one image of that name", async () => {
    const up = await s.pulumi(["up", "--yes"]);
    expect(up).toMatch(/\+-1 replaced/);

    const state = await s.resources();
    const id = state.flaky.id!;
    expect(id).not.toBe(failedId);
    expect(state.flaky.initErrors ?? []).toEqual([]);
    expect(state.flaky.outputs).toMatchObject({ name: "e2e-flaky", status: "active" });
    expect(state.flaky.outputs?.failure).toBeUndefined();

    const named = s.images().filter((i) => i.name === "e2e-flaky");
    expect(named.map((i) => i.id)).toEqual([id]);
    expect(named[0]).toMatchObject({ status: "active" });
    expect(await s.pulumiResult(["preview", "--expect-no-changes"])).toMatchObject({ code: 0 });
  });

  it("destroy deletes it", async () => {
    await s.pulumi(["destroy", "--yes"]);
    expect(s.images()).toEqual([]);
  });
});

describe("throttling, server errors and connection resets on a fifth of all requests", () => {
  let s: Scenario;
  const declared: Record<string, Declared> = {
    web: { kind: "PrivateImage", args: { name: "e2e-web", minRam: 1024, tags: { role: "web" }, source: UBUNTU } },
    api: { kind: "PrivateImage", args: { name: "e2e-api", description: "API servers", tags: { role: "api" }, source: UBUNTU } },
    worker: { kind: "PrivateImage", args: { name: "e2e-worker", source: UBUNTU } },
    scratch: { kind: "DataImage", args: { name: "e2e-scratch", tags: { role: "scratch" }, source: DATA_DISK } },
  };

  beforeAll(async () => {
    // Password authentication: IAM tokens are issued (and must not leak either).
    s = await Scenario.start("faults", "password");
    for (const rule of [
      // For certain: the first token request is throttled, the first creation request of each kind is lost.
      { method: "POST", route: "/v3/auth/tokens", status: 429, count: 1 },
      { method: "POST", route: "/v2/cloudimages/action", status: 503, count: 1 },
      { method: "POST", route: "/v1/cloudimages/dataimages/action", reset: true, count: 1 },
      // And about one request in five fails, whatever it is.
      { method: "*", route: "*", status: 429, probability: 0.08 },
      { method: "*", route: "*", status: 503, probability: 0.08 },
      { method: "*", route: "*", reset: true, probability: 0.06 },
    ]) {
      const res = await s.emu.request("POST", "/_emulator/faults", { body: rule });
      if (res.status !== 201) throw new Error(`adding a fault rule failed: ${res.status} ${res.text}`);
    }
  });
  afterAll(() => s?.close());

  it("up creates every image once", async () => {
    s.declare(declared);
    await s.pulumi(["up", "--yes"]);

    const state = await s.resources();
    expect(Object.keys(state).sort()).toEqual(["api", "scratch", "web", "worker"]);
    const names = s.images().map((i) => i.name);
    expect(names.sort()).toEqual(["e2e-api", "e2e-scratch", "e2e-web", "e2e-worker"]);
    for (const [key, resource] of Object.entries(state)) {
      const image = s.image(resource.id);
      expect(image).toMatchObject({ name: declared[key].args.name, status: "active" });
      expect(tagsOf(image)).toEqual(declared[key].args.tags ?? {});
    }

    // The faults did happen. The one-off rules are used up (each failed its request: with its own
    // fault, or with a random one drawn for the same request), and the random ones hit requests.
    const faults = await s.emu.request<{ faults: { route: string; probability?: number; hits: number }[] }>("GET", "/_emulator/faults");
    expect(faults.body.faults.map((f) => [f.route, f.probability])).toEqual([["*", 0.08], ["*", 0.08], ["*", 0.06]]);
    expect(faults.body.faults.reduce((n, f) => n + f.hits, 0)).toBeGreaterThan(0);
    const metrics = await s.emu.request<{ routes: { route: string; status: number; count: number }[] }>("GET", "/_emulator/metrics");
    const failed = (route: string) => metrics.body.routes.filter((r) => r.route === route && [0, 429, 503].includes(r.status)).length;
    expect([failed("/v3/auth/tokens"), failed("/v2/cloudimages/action"), failed("/v1/cloudimages/dataimages/action")]).not.toContain(0);
  });

  it("destroy deletes every image, the faults still on", async () => {
    await s.pulumi(["destroy", "--yes"]);
    expect((await s.emu.request("DELETE", "/_emulator/faults")).status).toBe(204);
    expect(s.images()).toEqual([]);
    expect(await s.resources()).toEqual({});
  });
});

describe("refresh of many images: one listing, drift exact", () => {
  let s: Scenario;
  const COUNT = 12;
  const declared: Record<string, Declared> = Object.fromEntries(
    Array.from({ length: COUNT }, (_, i) => [`fleet${i}`, { kind: "PrivateImage", args: { name: `e2e-fleet-${i}`, tags: { fleet: "e2e" }, source: UBUNTU } }]),
  );

  beforeAll(async () => {
    s = await Scenario.start("fleet", "aksk", 200);
  });
  afterAll(() => s?.close());

  it("refresh reads the images with one list request a pass besides the first reads, and shows each change made outside", async () => {
    s.declare(declared);
    await s.pulumi(["up", "--yes"]);
    const state = await s.resources();
    for (const [key, body] of [
      ["fleet3", { name: "renamed-outside" }],
      ["fleet7", { tags: { fleet: "drifted" } }],
      ["fleet11", { description: "described outside" }],
    ] as const) {
      expect((await s.emu.request("PATCH", `/_emulator/images/${state[key].id}`, { body })).status).toBe(200);
    }
    expect((await s.emu.request("DELETE", "/_emulator/metrics")).status).toBe(204);

    const refresh = await s.pulumi(["refresh", "--yes"]);
    expect(diffOf(refresh, "fleet3", "updated")).toBe("~name");
    expect(diffOf(refresh, "fleet7", "updated")).toBe("~tags");
    expect(diffOf(refresh, "fleet11", "updated")).toBe("+description");
    expect(refresh).toMatch(/~ 3 updated/);
    expect(refresh).toMatch(new RegExp(`${COUNT - 3 + 1} unchanged`));

    // IMS requests of the refresh, in each of its two passes (the preview, then the refresh): the first
    // two reads by id, then one listing for the ten others.
    const metrics = await s.emu.request<{ routes: { method: string; route: string; count: number }[] }>("GET", "/_emulator/metrics");
    const ims = metrics.body.routes.filter((r) => !r.route.startsWith("/v3") && !r.route.startsWith("/_emulator"));
    expect(ims.map((r) => `${r.method} ${r.route}`)).toEqual(["GET /v2/cloudimages"]);
    expect(ims.reduce((n, r) => n + r.count, 0)).toBe(2 * 3);
  });

  it("destroy deletes them all", async () => {
    await s.pulumi(["destroy", "--yes"]);
    expect(s.images()).toEqual([]);
  });
});

describe("many images under the gateway's rate limit", () => {
  let s: Scenario;
  const COUNT = 16;
  const LIMIT = 5;
  const declared: Record<string, Declared> = Object.fromEntries(
    Array.from({ length: COUNT }, (_, i) => [`limited${i}`, { kind: "PrivateImage", args: { name: `e2e-limited-${i}`, source: UBUNTU } }]),
  );
  const throttled = async () => (await s.emu.request<{ throttled: { total: number } }>("GET", "/_emulator/metrics")).body.throttled.total;

  beforeAll(async () => {
    s = await Scenario.start("limited", "aksk");
    expect((await s.emu.request("PUT", "/_emulator/rate-limit", { body: { requestsPerSecond: LIMIT } })).status).toBe(200);
  });
  afterAll(() => s?.close());

  it(`up of ${COUNT} images at once against ${LIMIT} requests/s: throttled, yet every image made once, no error`, async () => {
    expect((await s.emu.request("DELETE", "/_emulator/metrics")).status).toBe(204);
    s.declare(declared);
    const out = await s.pulumi(["up", "--yes", "--parallel", String(COUNT)]);
    // The images and the stack.
    expect(out).toMatch(new RegExp(`\\+ ${COUNT + 1} created`));
    expect(await throttled()).toBeGreaterThan(0);
    const state = await s.resources();
    expect(Object.keys(state).filter((k) => k.startsWith("limited")).length).toBe(COUNT);
    expect(s.images().map((i) => i.name).sort()).toEqual(Object.values(declared).map((d) => d.args.name).sort());
    expect(s.images().every((i) => i.status === "active")).toBe(true);
  });

  it("destroy of them all at once under the same limit", async () => {
    expect((await s.emu.request("DELETE", "/_emulator/metrics")).status).toBe(204);
    const out = await s.pulumi(["destroy", "--yes", "--parallel", String(COUNT)]);
    expect(out).toMatch(new RegExp(`- ${COUNT + 1} deleted`));
    expect(s.images()).toEqual([]);
  });
});

describe("adoption of an existing image, with the secret key as a secret config value", () => {
  let s: Scenario;
  let existingId = "";

  beforeAll(async () => {
    s = await Scenario.start("adopt", "secret-config");
    existingId = await s.emu.privateImage("made-in-the-console");
  });
  afterAll(() => s?.close());

  it("up takes the image over instead of creating one", async () => {
    expect((await s.emu.request("DELETE", "/_emulator/metrics")).status).toBe(204);
    s.declare({
      adopted: {
        kind: "PrivateImage",
        args: { name: "e2e-adopted", description: "Adopted by Pulumi", tags: { owner: "e2e" }, adoptImageId: existingId, source: UBUNTU },
      },
    });
    await s.pulumi(["up", "--yes"]);

    const state = await s.resources();
    expect(state.adopted.id).toBe(existingId);
    expect(state.adopted.outputs).toMatchObject({ name: "e2e-adopted", status: "active", adoptImageId: existingId });
    expect(s.images().map((i) => i.id)).toEqual([existingId]);
    expect(s.image(existingId)).toMatchObject({ name: "e2e-adopted", description: "Adopted by Pulumi" });
    expect(tagsOf(s.image(existingId))).toEqual({ owner: "e2e" });

    const metrics = await s.emu.request<{ routes: { method: string; route: string }[] }>("GET", "/_emulator/metrics");
    expect(metrics.body.routes.filter((r) => r.method === "POST" && CREATE_ROUTES.includes(r.route))).toEqual([]);
    expect(metrics.body.routes.some((r) => r.method === "PATCH" && r.route === "/v2/cloudimages/{image_id}")).toBe(true);
  });

  it("keeps the secret key in the state only encrypted", async () => {
    const secret = s.configuredSecret!;
    expect(s.env.HW_SECRET_KEY).toBeUndefined();
    const checkpoint = await s.checkpoint();
    const provider = (checkpoint.deployment.resources ?? []).find((r) => r.type === NODEJS_PROVIDER);
    const stored = provider?.inputs?.["ims:secretKey"] as Record<string, unknown> | undefined;
    expect(stored).toEqual({ [SECRET_SIG]: "1b47061264138c4ac30d75fd1eb44270", ciphertext: expect.any(String) });
    expect(JSON.stringify(checkpoint)).not.toContain(secret);
    expect(readFileSync(join(ws.dir, "Pulumi.adopt.yaml"), "utf8")).toMatch(/ims:secretKey:\s*\n\s*secure: /);

    // Decrypted, the stored value is the key (this output is not kept in the transcript).
    const shown = await run("pulumi", ["stack", "export", "--show-secrets", "--stack", "adopt", "--non-interactive"], {
      cwd: ws.dir,
      env: { ...ws.env, ...Object.fromEntries(Object.entries(s.env).filter(([, v]) => v !== undefined)) },
    });
    expect(shown.code).toBe(0);
    const plain = (JSON.parse(shown.stdout) as Checkpoint).deployment.resources?.find((r) => r.type === NODEJS_PROVIDER);
    const decrypted = plain?.inputs?.["ims:secretKey"] as { plaintext?: string } | undefined;
    expect(JSON.parse(decrypted?.plaintext ?? "null")).toBe(secret);
  });

  it("destroy deletes the adopted image", async () => {
    await s.pulumi(["destroy", "--yes"]);
    expect(s.images()).toEqual([]);
  });
});

describe("credentials", () => {
  /** Every file under a directory, recursively. */
  const files = (dir: string): string[] =>
    readdirSync(dir).flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? files(path) : [path];
    });

  it("appear neither in any exported state, nor in the backend's files, nor in any CLI output, debug output included", () => {
    expect(exported.length).toBeGreaterThan(5);
    expect(ws.transcript.length).toBeGreaterThan(20);
    // The provider's debug output was on: every exchange of up, refresh and destroy was printed.
    const printed = ws.transcript.map((t) => `${t.stdout}\n${t.stderr}`).join("\n");
    for (const exchange of [/\[pulumi-ims\] POST \S+\/v3\/auth\/tokens/, /\[pulumi-ims\] POST \S+\/v2\/cloudimages\/action/, /\[pulumi-ims\] DELETE \S+\/v2\/images\//]) {
      expect(printed).toMatch(exchange);
    }
    expect(credentials.size).toBeGreaterThanOrEqual(3);
    const texts: [string, string][] = [
      ...exported.map((text, i): [string, string] => [`export #${i}`, text]),
      ...ws.transcript.map((t): [string, string] => [`pulumi ${t.args.join(" ")}`, `${t.stdout}\n${t.stderr}`]),
      ...files(join(ws.dir, ".pulumi-state", "backend")).map((path): [string, string] => [path, readFileSync(path, "utf8")]),
      ...readdirSync(ws.dir)
        .filter((name) => /^Pulumi\..*\.yaml$/.test(name))
        .map((name): [string, string] => [name, readFileSync(join(ws.dir, name), "utf8")]),
    ];
    const leaks: string[] = [];
    for (const [where, text] of texts) {
      for (const secret of credentials) if (text.includes(secret)) leaks.push(`${where}: a credential (${secret.slice(0, 3)}…)`);
      const token = /MII[A-Za-z0-9+/=_.-]{16,}/.exec(text);
      if (token) leaks.push(`${where}: a token (${token[0].slice(0, 8)}…)`);
    }
    expect(leaks).toEqual([]);
  });
});
