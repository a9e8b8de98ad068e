/**
 * What crosses the engine boundary: check failures as the engine can show them, errors shown once
 * without a JavaScript trace, and the name Pulumi makes when a program gives none.
 */
import { forEngine, providerFor } from "../../provider";
import { uploadReporter, warn } from "../../provider/common/time";
import { withAutoName } from "../../provider/common/values";

describe("check failures", () => {
  it("name the top-level input, and their reason the field inside it", () => {
    expect(
      forEngine({
        failures: [
          { property: "source.minDisk", reason: "source.minDisk must be a whole number of GB from 1 to 1024" },
          { property: "tags.a b", reason: "a tag key has 1 to 36 letters" },
          { property: "name", reason: "name is required" },
        ],
      }).failures,
    ).toEqual([
      { property: "source", reason: "source.minDisk must be a whole number of GB from 1 to 1024" },
      { property: "tags", reason: "tags.a b: a tag key has 1 to 36 letters" },
      { property: "name", reason: "name is required" },
    ]);
  });
});

describe("errors", () => {
  it("of check, diff, read and delete reach the user once: the host's own print of them is dropped", async () => {
    const provider = providerFor("ImageMember");
    // No settings at all (whatever this machine's environment holds): reading fails with a ConfigError.
    const saved = Object.entries(process.env).filter(([k]) => /^(HW|OS|G42|IMS)_/.test(k));
    for (const [k] of saved) delete process.env[k];
    await provider.configure({ config: { get: () => undefined, require: () => "" } } as never);
    const printed: unknown[][] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => void printed.push(args);
    try {
      let error: Error | undefined;
      try {
        await provider.read("3f7185de-b59a-4bb8-aa1d-7a513528b0e9/00000000000000000000000000000001", { imageId: "x", projectId: "y" });
      } catch (e) {
        error = e as Error;
      }
      expect(error?.message).toMatch(/No region|No credentials/);
      // What the dynamic-provider host does with it: this line is dropped, anything else is printed.
      console.error(`${error}: ${error?.stack}`);
      console.error("something else");
    } finally {
      const installed = console.error;
      console.error = original;
      for (const [k, v] of saved) process.env[k] = v;
      expect(installed).not.toBe(original);
    }
    expect(printed).toEqual([["something else"]]);
  });
});

describe("names made by Pulumi", () => {
  const marker = "0123456789abcdef0123456789abcdef";
  it("are the resource's name and 7 hex characters of its creation marker, the same in preview and update", () => {
    expect(withAutoName({}, { resourceName: "golden", creationMarker: marker })).toMatchObject({ name: "golden-0123456" });
    expect(withAutoName({}, { resourceName: "golden", creationMarker: marker })).toEqual(withAutoName({}, { resourceName: "golden", creationMarker: marker }));
  });
  it("keep an earlier made name, are valid image names, and never replace a declared name", () => {
    expect(withAutoName({ name: "golden-abcdef1" }, { resourceName: "golden", creationMarker: marker })).toMatchObject({ name: "golden-abcdef1" });
    expect(withAutoName({}, { resourceName: "team/web:base", creationMarker: marker })).toMatchObject({ name: "team-web-base-0123456" });
    expect(withAutoName({}, { name: "declared", resourceName: "golden", creationMarker: marker })).toMatchObject({ name: "declared" });
    expect(withAutoName({}, { resourceName: "golden" }).name).toMatch(/^golden-[0-9a-f]{7}$/);
  });
});

describe("progress and warnings", () => {
  it("say warning: and name the resource; uploads report megabytes sent", () => {
    const lines: string[] = [];
    const log = jest.spyOn(console, "log").mockImplementation((l: string) => void lines.push(l));
    const warnSpy = jest.spyOn(console, "warn").mockImplementation((l: string) => void lines.push(l));
    try {
      warn('PrivateImage "golden" (id) no longer exists');
      const report = uploadReporter('PrivateImage "golden"', 8 * 1024 ** 2, 0);
      report(4 * 1024 ** 2);
    } finally {
      log.mockRestore();
      warnSpy.mockRestore();
    }
    expect(lines[0]).toBe('warning: PrivateImage "golden" (id) no longer exists');
    expect(lines[1]).toMatch(/^PrivateImage "golden": uploaded 4\.0 of 8\.0 MB after \d+ s$/);
  });
});
