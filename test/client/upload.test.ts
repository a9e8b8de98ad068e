/** Streaming a local image file through the Glance-compatible upload, with its checksum checked. */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { makeQcow2 } from "../../emulator/domain/disk-format";
import { clearAuthCaches, closeAllPools, ImsApiError, ImsClient, resetFlow } from "../../provider/client";
import { flowControl } from "../../provider/client/core/flow";
import { startTestEmulator, type TestEmulator } from "../helpers/emulator";

describe("glanceUploadFile", () => {
  let emu: TestEmulator;
  let dir: string;

  beforeAll(async () => {
    emu = await startTestEmulator({ jobMs: 100 });
    dir = mkdtempSync(join(tmpdir(), "pulumi-ims-upload-"));
    clearAuthCaches();
  });
  afterAll(async () => {
    await closeAllPools();
    await emu.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const client = (kind: "password" | "aksk") => {
    const key = emu.accessKey();
    return new ImsClient({
      endpoint: emu.url,
      auth: {
        authUrl: `${emu.url}/v3`,
        region: "ap-southeast-1",
        credentials:
          kind === "password"
            ? { kind: "password", domainName: "ims-emulator", userName: "ims-user", password: "ims-emulator-password" }
            : { kind: "aksk", accessKey: key.access, secretKey: key.secret },
      },
      retry: { baseDelayMs: 10, maxDelayMs: 50 },
    });
  };

  it.each(["password", "aksk"] as const)("streams a qcow2 file (%s auth); the active image has the file's MD5 and format", async (kind) => {
    const file = join(dir, `disk-${kind}.qcow2`);
    const bytes = Buffer.concat([makeQcow2(10), randomBytes(2 * 1024 * 1024)]);
    writeFileSync(file, bytes);
    const ims = client(kind);
    const image = await ims.images.glanceCreate({ name: `upload-${kind}`, __os_version: "Ubuntu 24.04 server 64bit", min_disk: 20 });
    expect(image.status).toBe("queued");
    const { md5, size } = await ims.images.glanceUploadFile(image.id, file);
    expect(size).toBe(bytes.length);
    const active = await ims.images.waitUntilActive(image.id, { timeoutMs: 10_000, expectedMd5: md5 });
    expect(active.checksum).toBe(md5);
    expect(active.disk_format).toBe("qcow2");
    expect(Number(active.__image_size)).toBe(bytes.length);
  });

  it("reports the bytes sent while it streams, up to the whole file", async () => {
    const file = join(dir, "progress.qcow2");
    const bytes = Buffer.concat([makeQcow2(10), randomBytes(3 * 1024 * 1024)]);
    writeFileSync(file, bytes);
    const ims = client("password");
    const image = await ims.images.glanceCreate({ name: "upload-progress", min_disk: 20 });
    const seen: number[] = [];
    await ims.images.glanceUploadFile(image.id, file, (sent) => seen.push(sent));
    expect(seen.length).toBeGreaterThan(3);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    expect(seen[seen.length - 1]).toBe(bytes.length);
  });

  it("reports a checksum mismatch as a corrupted upload", async () => {
    const file = join(dir, "small.qcow2");
    writeFileSync(file, makeQcow2(1));
    const ims = client("password");
    const image = await ims.images.glanceCreate({ name: "upload-mismatch", min_disk: 1 });
    await ims.images.glanceUploadFile(image.id, file);
    await expect(ims.images.waitUntilActive(image.id, { timeoutMs: 10_000, expectedMd5: "0".repeat(32) })).rejects.toThrow(/upload was corrupted/);
  });

  it("refuses a second upload to an image that is no longer queued, with the service's 409", async () => {
    const file = join(dir, "again.qcow2");
    writeFileSync(file, makeQcow2(1));
    const ims = client("password");
    const image = await ims.images.glanceCreate({ name: "upload-twice", min_disk: 1 });
    await ims.images.glanceUploadFile(image.id, file);
    const second = ims.images.glanceUploadFile(image.id, file);
    await expect(second).rejects.toBeInstanceOf(ImsApiError);
    await expect(second).rejects.toMatchObject({ status: 409 });
  });

  it("does not hold the project's other requests up while it streams, even with the flow control's window cut to one", async () => {
    const file = join(dir, "slow.qcow2");
    writeFileSync(file, makeQcow2(1));
    const ims = client("password");
    const image = await ims.images.glanceCreate({ name: "upload-slow", min_disk: 1 });
    // Refusals earlier in the run have cut the project's window to one request in flight.
    resetFlow();
    const key = `${emu.url} ${await ims.projectId()}`;
    for (let i = 0; i < 4; i++) {
      const ticket = flowControl().admit(key, 16);
      if (typeof ticket !== "number") flowControl().settle(ticket, { throttled: true, retryAfterMs: 0 });
    }
    expect(flowControl().snapshot(key)).toMatchObject({ window: 1, intervalMs: 0 });
    const fault = await emu.request("POST", "/_emulator/faults", { body: { method: "PUT", route: "/v2/images/{image_id}/file", answerDelayMs: 2500, count: 1 } });
    expect(fault.status).toBe(201);
    try {
      const upload = ims.images.glanceUploadFile(image.id, file);
      await new Promise((resolve) => setTimeout(resolve, 300));
      const started = performance.now();
      expect((await ims.images.list({ imagetype: "gold" })).length).toBeGreaterThan(0);
      // Well before the upload's answer: it did not wait for the upload's place in the window.
      expect(performance.now() - started).toBeLessThan(1500);
      await upload;
    } finally {
      resetFlow();
      await emu.request("DELETE", "/_emulator/faults");
    }
  });
});
