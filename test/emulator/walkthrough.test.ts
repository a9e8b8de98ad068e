/** The README's curl walk-through, run as printed against an emulator. */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { startTestEmulator, type TestEmulator } from "../helpers/emulator";

jest.setTimeout(60_000);

function walkthrough(): string {
  const readme = readFileSync(join(__dirname, "../../README.md"), "utf8");
  const m = /<!-- walkthrough:start -->\s*```sh\n([\s\S]*?)```\s*<!-- walkthrough:end -->/.exec(readme);
  if (!m) throw new Error("README.md has no walk-through block");
  return m[1];
}

describe("README curl walk-through", () => {
  let emu: TestEmulator;
  beforeAll(async () => {
    emu = await startTestEmulator({ jobMs: 400 });
  });
  afterAll(() => emu.close());

  it("works as printed", async () => {
    const script = walkthrough();
    const out = await new Promise<string>((resolve, reject) =>
      execFile("bash", ["-euo", "pipefail", "-c", script], { env: { ...process.env, IMS: emu.url }, timeout: 50_000 }, (error, stdout, stderr) =>
        error ? reject(new Error(`${error.message}\n${stdout}\n${stderr}`)) : resolve(stdout),
      ),
    );
    expect(out).toMatch(/"status":"SUCCESS".*"job_type":"imsImportImageJob"/);
    expect(out).toMatch(/"name":"ubuntu-golden","status":"active"/);
    expect(out).toMatch(/"__os_version":"Ubuntu 24.04 server 64bit"/);
    expect(out).toMatch(/\{"job_id":"[0-9a-f]{32}"\}/);
    expect(out).toMatch(/"status":"pending".*"member_id":"574ec11e28b9a30985bb25b7b8aac298"/);
    expect(out).toContain("DELETE 204");
    expect(out).toContain("GET after delete 404");
    const names = emu.world.state.images.map((i) => i.name);
    expect(names).not.toContain("ubuntu-golden");
  });
});
