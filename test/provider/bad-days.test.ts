/**
 * The service's bad days, through the provider: a token invalidated while a create waits for its
 * job, the endpoint gone for a while and back (its state kept), a service clock 20 minutes ahead
 * of this machine's, and a wrong secret key used by many resources at once (one refused signature,
 * so the key is never locked).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { clearAuthCaches, closeAllPools, tokenRequestCount } from "../../provider/client";
import type { ImageOutputs } from "../../provider/images/schema";
import { startTestEmulator } from "../helpers/emulator";
import { admin, configureFor, driver, imagesNamed, MAIN, privateImages, QCOW2, rejection, UBUNTU, type Raw } from "./support";

jest.setTimeout(30_000);

const images = driver<Raw, ImageOutputs>(privateImages);
const source = { imageUrl: QCOW2, minDisk: 40, osVersion: UBUNTU };

afterEach(async () => {
  await closeAllPools();
  clearAuthCaches();
});

it("a token invalidated while a create waits for its job: one new token, and the create completes", async () => {
  const emu = await startTestEmulator({ jobMs: 1500 });
  try {
    await configureFor(emu, emu.url, { "ims:accessKey": "", "ims:secretKey": "", "ims:domainName": "ims-emulator", "ims:userName": "ims-user", "ims:password": "ims-emulator-password" });
    const creating = images.create({ name: "token-revoked", source });
    await new Promise((r) => setTimeout(r, 500));
    await admin(emu, "POST", "/_emulator/tokens/revoke");
    const { outs } = await creating;
    expect(outs.status).toBe("active");
    expect(tokenRequestCount()).toBe(2);
    const metrics = (await admin(emu, "GET", "/_emulator/metrics")) as { routes: { status: number; count: number }[] };
    expect(metrics.routes.filter((r) => r.status === 401).reduce((n, r) => n + r.count, 0)).toBe(1);
  } finally {
    await emu.close();
  }
});

it("the endpoint gone for 3 s while a create waits for its job: the create completes once it is back", async () => {
  const dir = mkdtempSync(join(tmpdir(), "pulumi-ims-outage-"));
  const stateFile = join(dir, "world.json");
  let emu = await startTestEmulator({ jobMs: 1200, stateFile });
  const port = Number(new URL(emu.url).port);
  try {
    await configureFor(emu);
    const creating = images.create({ name: "survives-outage", source });
    await new Promise((r) => setTimeout(r, 400));
    await emu.close();
    await new Promise((r) => setTimeout(r, 3000));
    emu = await startTestEmulator({ jobMs: 1200, stateFile, port });
    const { id, outs } = await creating;
    expect(outs.status).toBe("active");
    expect(imagesNamed(emu, "survives-outage").map((i) => i.id)).toEqual([id]);
  } finally {
    await emu.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

it("a service clock 20 minutes ahead: signatures are dated by it after one refusal, and the create completes", async () => {
  const emu = await startTestEmulator({ jobMs: 150, clockOffsetMs: 20 * 60_000 });
  try {
    await configureFor(emu);
    const made = await Promise.all([1, 2, 3].map((n) => images.create({ name: `clock-${n}`, source })));
    expect(made.map((m) => m.outs.status)).toEqual(["active", "active", "active"]);
    const metrics = (await admin(emu, "GET", "/_emulator/metrics")) as { routes: { status: number; count: number }[] };
    expect(metrics.routes.filter((r) => r.status === 401).reduce((n, r) => n + r.count, 0)).toBe(1);
  } finally {
    await emu.close();
  }
});

it("a wrong secret key used by many resources at once: one refused signature, a message that says what to check, the key not locked", async () => {
  const emu = await startTestEmulator({ jobMs: 150 });
  try {
    await configureFor(emu, emu.url, { "ims:secretKey": "W".repeat(40), "ims:projectId": emu.projectId(MAIN) });
    const errors = await Promise.all([1, 2, 3, 4, 5, 6, 7].map((n) => rejection(emu, images.create({ name: `forged-${n}`, source }))));
    for (const error of errors) expect(error.message).toMatch(/APIGW.0301.*check the access key, secret key or password, and the system clock/);
    const metrics = (await admin(emu, "GET", "/_emulator/metrics")) as { routes: { status: number; count: number }[] };
    expect(metrics.routes.filter((r) => r.status === 401).reduce((n, r) => n + r.count, 0)).toBe(1);
    await configureFor(emu);
    clearAuthCaches();
    const { outs } = await images.create({ name: "right-key", source });
    expect(outs.status).toBe("active");
  } finally {
    await emu.close();
  }
});
