/**
 * Corporate networks and private clouds: the client goes through the proxy the environment names
 * (HTTP_PROXY, HTTPS_PROXY), except for the hosts NO_PROXY names — the proxy here is a small CONNECT
 * proxy that counts the tunnels it opened —, and trusts a private CA it is given (or, insecure, any
 * certificate) — against ims-emulator serving HTTPS with a certificate of a CA made for the test.
 */
import { rmSync } from "node:fs";
import { createServer, connect, type Server } from "node:net";
import { clearAuthCaches, closeAllPools, ImsClient } from "../../provider/client";
import { startTestEmulator, type TestEmulator } from "../helpers/emulator";
import { makeTestCertificate, type TestCertificate } from "../helpers/tls";

let emu: TestEmulator;
let proxy: Server;
let proxyUrl = "";
const tunnels: string[] = [];

beforeAll(async () => {
  emu = await startTestEmulator({ jobMs: 100 });
  proxy = createServer((client) => {
    client.once("data", (head: Buffer) => {
      const m = /^CONNECT (\S+):(\d+) HTTP\/1\.1/.exec(head.toString("latin1"));
      if (!m) {
        client.end("HTTP/1.1 405 Method Not Allowed\r\n\r\n");
        return;
      }
      tunnels.push(`${m[1]}:${m[2]}`);
      const upstream = connect(Number(m[2]), m[1], () => {
        client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
        upstream.pipe(client);
        client.pipe(upstream);
      });
      upstream.on("error", () => client.destroy());
      client.on("error", () => upstream.destroy());
    });
  });
  await new Promise<void>((r) => proxy.listen(0, "127.0.0.1", () => r()));
  proxyUrl = `http://127.0.0.1:${(proxy.address() as { port: number }).port}`;
});

afterAll(async () => {
  await closeAllPools();
  proxy.close();
  await emu.close();
});

async function withEnv<T>(vars: Record<string, string>, work: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  Object.assign(process.env, vars);
  try {
    return await work();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    await closeAllPools();
    clearAuthCaches();
  }
}

const client = () => {
  const key = emu.accessKey();
  return new ImsClient({ endpoint: emu.url, auth: { authUrl: `${emu.url}/v3`, region: "ap-southeast-1", credentials: { kind: "aksk", accessKey: key.access, secretKey: key.secret } } });
};

it("goes through the proxy of HTTP_PROXY, IAM and IMS alike", async () => {
  tunnels.length = 0;
  const quota = await withEnv({ HTTP_PROXY: proxyUrl, NO_PROXY: "" }, () => client().images.quota());
  expect(quota).toEqual([expect.objectContaining({ type: "image" })]);
  expect(tunnels.length).toBeGreaterThanOrEqual(1);
  expect(new Set(tunnels)).toEqual(new Set([new URL(emu.url).host]));
});

it("goes direct to a host NO_PROXY names", async () => {
  tunnels.length = 0;
  await withEnv({ HTTP_PROXY: proxyUrl, NO_PROXY: "localhost,127.0.0.1" }, () => client().images.quota());
  expect(tunnels).toEqual([]);
});

describe("a cloud with a certificate of a private CA", () => {
  let secure: TestEmulator;
  let certificate: TestCertificate;
  beforeAll(async () => {
    certificate = makeTestCertificate();
    secure = await startTestEmulator({ jobMs: 100, tls: { cert: certificate.cert, key: certificate.key } });
  });
  afterAll(async () => {
    await closeAllPools();
    await secure.close();
    rmSync(certificate.dir, { recursive: true, force: true });
  });

  const over = (transport: { ca?: string; insecure?: boolean }) => {
    clearAuthCaches();
    const key = secure.accessKey();
    return new ImsClient({
      endpoint: secure.url,
      auth: { authUrl: `${secure.url}/v3`, region: "ap-southeast-1", credentials: { kind: "aksk", accessKey: key.access, secretKey: key.secret } },
      transport,
      callTimeoutMs: 2000,
    });
  };

  it("is reached when its CA is given (ims:caCertFile), refused otherwise, naming the endpoint", async () => {
    expect(secure.url).toMatch(/^https:/);
    expect(await over({ ca: certificate.ca }).images.quota()).toEqual([expect.objectContaining({ type: "image" })]);
    const refused = await over({}).images.quota().then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(refused?.message).toMatch(/(resolve project|getQuota) at https:\/\/127\.0\.0\.1:\d+ .*its certificate is not trusted: give the certificate of the CA .* with ims:caCertFile/);
  });

  it("is reached without any check with ims:insecure", async () => {
    expect(await over({ insecure: true }).images.quota()).toEqual([expect.objectContaining({ type: "image" })]);
  });
});
