/**
 * HTTPS: `startEmulator({ tls: { cert, key } })` serves the same routes over TLS, with a
 * certificate made for this run by a throwaway CA. A client that trusts the CA reaches it; one
 * that does not, or one speaking plain HTTP, does not.
 */
import { rmSync } from "node:fs";
import { Agent, fetch as undiciFetch } from "undici";
import { startEmulator } from "../../emulator";
import { startTestEmulator, type TestEmulator } from "../helpers/emulator";
import { makeTestCertificate, type TestCertificate } from "../helpers/tls";

/** Codes Node gives a certificate chain it cannot verify up to a trusted CA. */
const UNTRUSTED = ["UNABLE_TO_VERIFY_LEAF_SIGNATURE", "SELF_SIGNED_CERT_IN_CHAIN", "UNABLE_TO_GET_ISSUER_CERT_LOCALLY"];

/** How a request failed: its message and the code of its cause; undefined when it got an answer. */
async function failure(request: Promise<unknown>): Promise<{ message: string; code?: string } | undefined> {
  try {
    await request;
    return undefined;
  } catch (e) {
    const error = e as { message?: string; cause?: { code?: string } };
    return { message: String(error.message), code: error.cause?.code };
  }
}

describe("ims-emulator over HTTPS", () => {
  let certificate: TestCertificate;
  let emu: TestEmulator;
  let trusting: Agent;

  beforeAll(async () => {
    certificate = makeTestCertificate();
    emu = await startTestEmulator({ tls: { cert: certificate.cert, key: certificate.key } });
    trusting = new Agent({ connect: { ca: certificate.ca } });
  });
  afterAll(async () => {
    await trusting?.close();
    await emu?.close();
    if (certificate) rmSync(certificate.dir, { recursive: true, force: true });
  });

  it("has an https:// URL on loopback", () => {
    expect(emu.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(emu.emulator.summary()).toMatchObject({ endpoint: emu.url, iamEndpoint: `${emu.url}/v3` });
  });

  it("a client trusting the CA gets a token whose catalog and version links are https://", async () => {
    const discovery = await undiciFetch(`${emu.url}/v3`, { dispatcher: trusting });
    expect(discovery.status).toBe(200);
    expect(((await discovery.json()) as { version: { links: { href: string }[] } }).version.links[0].href).toBe(`${emu.url}/v3/`);

    const res = await undiciFetch(`${emu.url}/v3/auth/tokens`, {
      dispatcher: trusting,
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({
        auth: {
          identity: { methods: ["password"], password: { user: { name: "ims-user", password: "ims-emulator-password", domain: { name: "ims-emulator" } } } },
          scope: { project: { name: "ap-southeast-1" } },
        },
      }),
    });
    expect(res.status).toBe(201);
    const body = (await res.json()) as { token: { catalog: { type: string; endpoints: { url: string }[] }[] } };
    expect(body.token.catalog.find((c) => c.type === "image")?.endpoints[0].url).toBe(emu.url);

    const images = await undiciFetch(`${emu.url}/v2/cloudimages?__imagetype=gold`, { dispatcher: trusting, headers: { "X-Auth-Token": res.headers.get("x-subject-token")! } });
    expect(images.status).toBe(200);
    expect(((await images.json()) as { images: unknown[] }).images).toHaveLength(2);
  });

  it("a client that does not trust the CA is refused during the handshake", async () => {
    const refused = await failure(fetch(`${emu.url}/v3`));
    expect(refused?.message).toBe("fetch failed");
    expect(UNTRUSTED).toContain(refused?.code);
  });

  it("a client trusting another CA is refused too", async () => {
    const other = makeTestCertificate();
    const agent = new Agent({ connect: { ca: other.ca } });
    try {
      const refused = await failure(undiciFetch(`${emu.url}/v3`, { dispatcher: agent }));
      expect(UNTRUSTED).toContain(refused?.code);
    } finally {
      await agent.close();
      rmSync(other.dir, { recursive: true, force: true });
    }
  });

  it("plain HTTP on the same port gets no answer", async () => {
    const plain = await failure(fetch(emu.url.replace("https:", "http:") + "/v3"));
    expect(plain?.message).toBe("fetch failed");
  });

  it("a key that does not belong to the certificate is named as the problem", async () => {
    const other = makeTestCertificate();
    try {
      await expect(startEmulator({ tls: { cert: certificate.cert, key: other.key } })).rejects.toThrow(/^cannot serve HTTPS with this TLS certificate and key: /);
    } finally {
      rmSync(other.dir, { recursive: true, force: true });
    }
  });
});
