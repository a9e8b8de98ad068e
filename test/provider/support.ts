/**
 * Fixtures of the provider handler tests: an emulator the provider is configured for (as the
 * engine's `configure` would), inputs as the engine hands them over (with `__provider`), the
 * emulator's view of an image, a proxy that loses answers, and a check that no error shows a
 * credential.
 */
import { createHash } from "node:crypto";
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { configure } from "../../provider/config";
import { clearAuthCaches, closeAllPools } from "../../provider/client";
import { imageProvider } from "../../provider/images/lifecycle";
import type { ImageInputs, ImageOutputs } from "../../provider/images/schema";
import type { Image } from "../../emulator/domain/model";
import { startTestEmulator, type TestEmulator } from "../helpers/emulator";

export const MAIN = "ap-southeast-1";
export const ANALYTICS = "ap-southeast-1_analytics";
export const QCOW2 = "images-bucket:ubuntu-24.04.qcow2";
export const VHD = "images-bucket:data-disk.vhd";
export const UBUNTU = "Ubuntu 24.04 server 64bit";
/** Pulumi's placeholder for a value unknown during preview. */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
/** What the engine passes as `__provider` (the serialized shim); the handlers must carry it along. */
export const PROVIDER = 'exports.handler = () => require("pulumi-ims/shims/private-image");';

export const privateImages = imageProvider("private");
export const dataImages = imageProvider("data");

export type Raw = Record<string, unknown>;

/** Inputs as the engine passes them to create: the checked inputs plus `__provider`. */
export const withProvider = (inputs: Raw): Raw => ({ __provider: PROVIDER, ...inputs });

/** create through `provider` with `inputs` (and `__provider`); the outputs must be there. */
export async function createWith(provider: ReturnType<typeof imageProvider>, inputs: Raw): Promise<{ id: string; outs: ImageOutputs }> {
  const { id, outs } = await provider.create(withProvider(inputs));
  if (outs === undefined) throw new Error("create returned no outputs");
  return { id, outs };
}

/** update through `provider`; the outputs must be there. */
export async function updateWith(provider: ReturnType<typeof imageProvider>, id: string, olds: ImageOutputs, news: Raw): Promise<ImageOutputs> {
  const { outs } = await provider.update(id, olds, withProvider(news) as unknown as ImageInputs);
  if (outs === undefined) throw new Error("update returned no outputs");
  return outs;
}

/**
 * `check` and `create` of a resource kind as the engine calls them (with `__provider`): `create`
 * fails the test unless `check` passes and the outputs come back.
 */
export function driver<I, O>(provider: { check(olds: I, news: I): Promise<{ failures?: { property: string; reason: string }[] }>; create(inputs: I): Promise<{ id: string; outs?: O }> }) {
  const check = (inputs: Raw) => provider.check({} as I, withProvider(inputs) as unknown as I);
  const create = async (inputs: Raw): Promise<{ id: string; outs: O }> => {
    const checked = await check(inputs);
    if (checked.failures?.length) throw new Error(`check failed: ${JSON.stringify(checked.failures)}`);
    const { id, outs } = await provider.create(withProvider(inputs) as unknown as I);
    if (outs === undefined) throw new Error("create returned no outputs");
    return { id, outs };
  };
  return { check, create };
}

/** Stack configuration that points the provider at `endpoint` with the AK/SK of the main project. */
export async function configureFor(emu: TestEmulator, endpoint = emu.url, extra: Record<string, string> = {}): Promise<void> {
  const key = emu.accessKey(MAIN);
  const values: Record<string, string> = {
    "ims:region": MAIN,
    "ims:endpoint": endpoint,
    "ims:authUrl": `${endpoint}/v3`,
    "ims:accessKey": key.access,
    "ims:secretKey": key.secret,
    // A bug must fail a test quickly, not after the default 30 minutes.
    "ims:timeouts": JSON.stringify({ create: "20s", update: "20s", delete: "20s" }),
    ...extra,
  };
  await configure({ config: { get: (k: string) => values[k], require: (k: string) => values[k] } } as never);
}

/** An emulator with short jobs, and the provider configured for it. */
export async function providerEmulator(jobMs = 120): Promise<TestEmulator> {
  clearAuthCaches();
  const emu = await startTestEmulator({ jobMs });
  await configureFor(emu);
  return emu;
}

export async function shutdown(emu: TestEmulator | undefined, ...others: { close(): Promise<void> }[]): Promise<void> {
  await closeAllPools();
  clearAuthCaches();
  for (const other of others) await other.close();
  await emu?.close();
}

/** Every text of an error a user could see: message, stack, causes. */
function texts(error: unknown, depth = 0): string[] {
  if (!(error instanceof Error) || depth > 4) return error === undefined ? [] : [String(error)];
  const own = error as Error & { serviceMessage?: unknown; cause?: unknown; reasons?: unknown; properties?: unknown };
  return [
    error.message,
    error.stack ?? "",
    typeof own.serviceMessage === "string" ? own.serviceMessage : "",
    own.reasons === undefined ? "" : JSON.stringify(own.reasons),
    own.properties === undefined ? "" : JSON.stringify(own.properties),
    ...texts(own.cause, depth + 1),
  ];
}

/** Fails when an error (or what it carries) shows a secret key of the emulator's world. */
export function expectNoSecret(emu: TestEmulator | undefined, error: unknown, secrets: string[] = []): void {
  const all = texts(error).join("\n");
  for (const secret of [...(emu?.world.state.accessKeys.map((k) => k.secret) ?? []), ...secrets]) expect(all).not.toContain(secret);
}

/** The rejection of `promise` (failing when it resolves), checked to show no secret. */
export async function rejection(emu: TestEmulator | undefined, promise: Promise<unknown>): Promise<Error & Raw> {
  let result: unknown;
  try {
    result = await promise;
  } catch (error) {
    if (!(error instanceof Error)) throw new Error(`rejected with a non-error: ${String(error)}`, { cause: error });
    expectNoSecret(emu, error);
    return error as Error & Raw;
  }
  throw new Error(`expected a rejection, but the call succeeded with ${JSON.stringify(result)}`);
}

/** The emulator's record of an image (undefined when it is gone). */
export function stored(emu: TestEmulator, id: string): Image | undefined {
  return emu.world.state.images.find((i) => i.id === id && i.status !== "deleted");
}

/** An image's tags as the emulator holds them. */
export function storedTags(emu: TestEmulator, id: string): Record<string, string> {
  const image = stored(emu, id);
  if (!image) throw new Error(`no image ${id} in the emulator`);
  return Object.fromEntries(image.tags.map((t) => [t.key, t.value]));
}

/** Images of the main project with this name. */
export function imagesNamed(emu: TestEmulator, name: string): Image[] {
  const owner = emu.projectId(MAIN);
  return emu.world.state.images.filter((i) => i.name === name && i.owner === owner && i.status !== "deleted");
}

/** Fails unless `value` survives JSON unchanged (the engine's Struct conversion refuses undefined). */
export function expectJsonClean(value: unknown): void {
  expect(JSON.parse(JSON.stringify(value))).toEqual(value);
  const walk = (v: unknown, path: string): void => {
    if (v === undefined) throw new Error(`undefined at ${path || "(root)"}`);
    if (v !== null && typeof v === "object") for (const [k, x] of Object.entries(v)) walk(x, `${path}.${k}`);
  };
  walk(value, "");
}

export const md5 = (bytes: Buffer): string => createHash("md5").update(bytes).digest("hex");

/** Stores an object in the emulator's OBS. */
export async function putObject(emu: TestEmulator, bucket: string, key: string, bytes: Buffer): Promise<void> {
  const res = await emu.request("PUT", `/_emulator/objects/${bucket}/${key}`, { raw: bytes });
  if (res.status !== 201) throw new Error(`put object: ${res.status} ${res.text}`);
}

/** Calls the admin API; fails unless it answers with `expected`. */
export async function admin(emu: TestEmulator, method: string, path: string, body?: unknown, expected = [200, 201, 204]): Promise<unknown> {
  const res = await emu.request(method, path, body === undefined ? {} : { body });
  if (!expected.includes(res.status)) throw new Error(`${method} ${path}: ${res.status} ${res.text}`);
  return res.body;
}

interface LossRule {
  method: string;
  path: RegExp;
  remaining: number;
}

/**
 * A proxy in front of the emulator that can lose answers: the request reaches the emulator and is
 * carried out, then the connection is reset instead of answering (what a broken network does
 * after the request was sent).
 */
export class AnswerLosingProxy {
  private constructor(
    private readonly server: Server,
    readonly url: string,
    private readonly rules: LossRule[],
  ) {}

  static async start(target: string): Promise<AnswerLosingProxy> {
    const rules: LossRule[] = [];
    const loses = (method: string, path: string): boolean => {
      const rule = rules.find((r) => r.remaining > 0 && r.method === method && r.path.test(path));
      if (rule) rule.remaining -= 1;
      return rule !== undefined;
    };
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const upstream = httpRequest(new URL(req.url ?? "/", target), { method: req.method, headers: req.headers as IncomingHttpHeaders }, (answer) => {
          const body: Buffer[] = [];
          answer.on("data", (c: Buffer) => body.push(c));
          answer.on("end", () => {
            if (loses(req.method ?? "GET", (req.url ?? "/").split("?")[0])) {
              req.socket.destroy();
              return;
            }
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            res.end(Buffer.concat(body));
          });
        });
        upstream.on("error", () => req.socket.destroy());
        upstream.end(Buffer.concat(chunks));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
    return new AnswerLosingProxy(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`, rules);
  }

  /** Loses the answers of the next `count` requests of `method` to a path matching `path`. */
  loseAnswers(method: string, path: RegExp, count = 1): void {
    this.rules.push({ method, path, remaining: count });
  }

  /** Rules with answers still to lose. */
  pending(): number {
    return this.rules.filter((r) => r.remaining > 0).length;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.closeAllConnections();
      this.server.close(() => resolve());
    });
  }
}
