/**
 * Fidelity: official Python SDKs drive the emulator with their own signers, request models and
 * response parsing: Huawei Cloud's (huaweicloudsdkims) and G42 Cloud's (g42cloudsdkims), both
 * installed by `make setup` into .tools/py (tools/python/requirements.txt).
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { startTestEmulator, type TestEmulator } from "../helpers/emulator";

jest.setTimeout(120_000);

const python = resolve(__dirname, "../../.tools/py/bin/python");

interface CheckResult {
  check: string;
  ok: boolean;
  detail: unknown;
  trace?: string;
}

describe.each(["huaweicloud", "g42"])("the %s Python SDK against ims-emulator", (sdk) => {
  let emu: TestEmulator;
  beforeAll(async () => {
    if (!existsSync(python)) throw new Error(`${python} is missing: run make setup, which installs the SDKs.`);
    emu = await startTestEmulator({ jobMs: 200 });
  });
  afterAll(() => emu?.close());

  it("passes every check of official_sdk_check.py", async () => {
    const [key, member, remote] = ["ap-southeast-1", "ap-southeast-1_analytics", "ap-southeast-3"].map((p) => emu.accessKey(p));
    const args = [
      join(__dirname, "official_sdk_check.py"),
      emu.url,
      key.access,
      key.secret,
      emu.projectId(),
      emu.projectId("ap-southeast-1_analytics"),
      sdk,
      // The recipient answers a share with its own key; the cross-region copy lands in ap-southeast-3.
      member.access,
      member.secret,
      emu.projectId("ap-southeast-3"),
      remote.access,
      remote.secret,
    ];
    const stdout = await new Promise<string>((resolvePromise, reject) =>
      execFile(python, args, { timeout: 110_000 }, (error, out, err) => {
        if (error && !out) reject(new Error(`${error.message}\n${err}`));
        else resolvePromise(out);
      }),
    );
    const results = stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as CheckResult);
    expect(results.filter((r) => !r.ok)).toEqual([]);
    expect(results.length).toBeGreaterThanOrEqual(19);
  });
});
