/**
 * Fidelity: openstacksdk (with keystoneauth1), installed by `make setup` into .tools/py, connects
 * to the emulator as to an OpenStack cloud: identity version discovery at the auth URL without the
 * "Failed to discover available identity versions" warning, a password token, the catalog, and
 * images through the Glance-compatible API; over HTTP, and over HTTPS with a CA it is told to trust.
 */
import { rmSync } from "node:fs";
import { DEFAULT_WORLD } from "../../emulator";
import { startTestEmulator, type TestEmulator } from "../helpers/emulator";
import { makeTestCertificate, type TestCertificate } from "../helpers/tls";
import { runPythonChecks } from "./python-checks";

jest.setTimeout(60_000);

const credentials = [DEFAULT_WORLD.userName, DEFAULT_WORLD.password, DEFAULT_WORLD.domainName, DEFAULT_WORLD.regions[0]];

describe("openstacksdk against ims-emulator", () => {
  let emu: TestEmulator | undefined;
  let certificate: TestCertificate | undefined;
  afterEach(async () => {
    await emu?.close();
    emu = undefined;
  });
  afterAll(() => {
    if (certificate) rmSync(certificate.dir, { recursive: true, force: true });
  });

  it("passes every check of openstacksdk_check.py over HTTP", async () => {
    emu = await startTestEmulator();
    const results = await runPythonChecks("openstacksdk_check.py", [emu.url, ...credentials], 50_000);
    expect(results.filter((r) => !r.ok)).toEqual([]);
    expect(results.map((r) => r.check)).toHaveLength(4);
  });

  it("passes them over HTTPS when it trusts the CA, and is refused when it does not", async () => {
    certificate = makeTestCertificate();
    emu = await startTestEmulator({ tls: { cert: certificate.cert, key: certificate.key } });
    expect(emu.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const results = await runPythonChecks("openstacksdk_check.py", [emu.url, ...credentials, certificate.caFile], 50_000);
    expect(results.filter((r) => !r.ok)).toEqual([]);
    expect(results.map((r) => r.check)).toContain("a client that does not trust the CA is refused");
  });
});
