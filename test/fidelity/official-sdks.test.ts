/**
 * Fidelity: official Python SDKs drive the emulator with their own signers, request models and
 * response parsing: Huawei Cloud's (huaweicloudsdkims) and G42 Cloud's (g42cloudsdkims), both
 * installed by `make setup` into .tools/py (tools/python/requirements.txt).
 */
import { startTestEmulator, type TestEmulator } from "../helpers/emulator";
import { runPythonChecks } from "./python-checks";

jest.setTimeout(120_000);

describe.each(["huaweicloud", "g42"])("the %s Python SDK against ims-emulator", (sdk) => {
  let emu: TestEmulator;
  beforeAll(async () => {
    emu = await startTestEmulator({ jobMs: 200 });
  });
  afterAll(() => emu?.close());

  it("passes every check of official_sdk_check.py", async () => {
    const [key, member, remote] = ["ap-southeast-1", "ap-southeast-1_analytics", "ap-southeast-3"].map((p) => emu.accessKey(p));
    const args = [
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
    const results = await runPythonChecks("official_sdk_check.py", args, 110_000);
    expect(results.filter((r) => !r.ok)).toEqual([]);
    expect(results.length).toBeGreaterThanOrEqual(25);
  });
});
