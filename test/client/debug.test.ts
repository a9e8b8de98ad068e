/**
 * Debug output (PULUMI_IMS_DEBUG=1): every exchange is printed on stderr, and no credential ever is:
 * not the secret key or signature of AK/SK requests, not the password of a token request, not the
 * token IAM answers with or that later requests carry.
 */
import { clearAuthCaches, closeAllPools, ImsClient } from "../../provider/client";
import { startTestEmulator, type TestEmulator } from "../helpers/emulator";

let emu: TestEmulator;
const PASSWORD = "ims-emulator-password";

beforeAll(async () => {
  emu = await startTestEmulator({ jobMs: 100 });
});
afterAll(async () => {
  await closeAllPools();
  await emu.close();
});

async function printed(work: () => Promise<unknown>): Promise<string> {
  const lines: string[] = [];
  const spy = jest.spyOn(console, "error").mockImplementation((...args: unknown[]) => void lines.push(args.map(String).join(" ")));
  process.env.PULUMI_IMS_DEBUG = "1";
  try {
    await work();
  } finally {
    delete process.env.PULUMI_IMS_DEBUG;
    spy.mockRestore();
  }
  return lines.join("\n");
}

it("prints AK/SK exchanges without the secret key or the signature", async () => {
  clearAuthCaches();
  const key = emu.accessKey();
  const client = new ImsClient({ endpoint: emu.url, auth: { authUrl: `${emu.url}/v3`, region: "ap-southeast-1", credentials: { kind: "aksk", accessKey: key.access, secretKey: key.secret } } });
  const out = await printed(async () => {
    await client.images.list({ imagetype: "gold" });
    await client.images.createFromFile({ name: "debug-me", imageUrl: "images-bucket:ubuntu-24.04.qcow2", minDisk: 40 });
  });
  expect(out).toMatch(/\[pulumi-ims\] GET http:\/\/127\.0\.0\.1:\d+\/v2\/cloudimages\?__imagetype=gold/);
  expect(out).toMatch(/answer 200 in \d+ ms/);
  expect(out).toMatch(/\[pulumi-ims\] POST .*\/v2\/cloudimages\/action[\s\S]*"name":"debug-me"/);
  expect(out).toMatch(/authorization: ?\*\*\*/i);
  expect(out).not.toContain(key.secret);
  expect(out).not.toMatch(/Signature=[0-9a-f]{16,}/);
});

it("prints token exchanges without the password or any token", async () => {
  clearAuthCaches();
  const client = new ImsClient({
    endpoint: emu.url,
    auth: { authUrl: `${emu.url}/v3`, region: "ap-southeast-1", credentials: { kind: "password", domainName: "ims-emulator", userName: "ims-user", password: PASSWORD } },
  });
  const out = await printed(() => client.images.quota());
  const token = await emu.token();
  expect(out).toMatch(/\[pulumi-ims\] POST .*\/v3\/auth\/tokens/);
  expect(out).toMatch(/x-subject-token: ?\*\*\*/i);
  expect(out).toMatch(/x-auth-token: ?\*\*\*/i);
  expect(out).not.toContain(PASSWORD);
  expect(out).not.toMatch(/MII[A-Za-z0-9_-]{16,}/);
  expect(out).not.toContain(token.slice(0, 40));
});

it("prints nothing unless asked", async () => {
  const lines: unknown[] = [];
  const spy = jest.spyOn(console, "error").mockImplementation((...args: unknown[]) => void lines.push(args));
  try {
    clearAuthCaches();
    const key = emu.accessKey();
    await new ImsClient({ endpoint: emu.url, auth: { authUrl: `${emu.url}/v3`, region: "ap-southeast-1", credentials: { kind: "aksk", accessKey: key.access, secretKey: key.secret } } }).images.quota();
  } finally {
    spy.mockRestore();
  }
  expect(lines).toEqual([]);
});
