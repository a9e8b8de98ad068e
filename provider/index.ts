/**
 * The run-time side of pulumi-ims: what the engine's provider process executes. The serialized
 * shim of each resource (sdk/shim.ts) loads this module from the installed package and asks it
 * for the implementation of one resource kind.
 */
import type * as pulumi from "@pulumi/pulumi";
import { configure } from "./config";
import { debugEnabled } from "./client/core/debug";
import { packageInfo } from "./package-info";
import { imageCopyProvider } from "./copies/lifecycle";
import { imageExportProvider } from "./exports/lifecycle";
import { imageProvider } from "./images/lifecycle";
import { imageMemberProvider } from "./members/lifecycle";
import { probe } from "./probe";
import { RESOURCE_KINDS, type ImsResourceProvider, type ResourceKind } from "./types";

export { configure } from "./config";
export { packageInfo } from "./package-info";
export { RESOURCE_KINDS, type ImsResourceProvider, type ResourceKind } from "./types";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const implementations: Record<ResourceKind, ImsResourceProvider<any, any>> = {
  Probe: probe,
  PrivateImage: imageProvider("private"),
  DataImage: imageProvider("data"),
  ImageMember: imageMemberProvider,
  ImageCopy: imageCopyProvider,
  ImageExport: imageExportProvider,
};

/**
 * The stack the engine's dynamic-provider host gives an error of check, diff, read or delete: the
 * host prints `${error}: ${error.stack}` on stderr before it returns the message to the engine, which
 * shows it again. A recognisable stack lets that line be dropped, so the user reads each error once
 * and without a JavaScript trace (PULUMI_IMS_DEBUG keeps the traces).
 */
const SHOWN_ONCE = "\u2063(shown once)";

let quietInstalled = false;

function quietConsole(): void {
  if (quietInstalled) return;
  quietInstalled = true;
  const original = console.error.bind(console);
  console.error = (...args: unknown[]) => {
    if (args.length === 1 && typeof args[0] === "string" && args[0].endsWith(SHOWN_ONCE)) return;
    original(...args);
  };
}

/** A method whose errors reach the user once, by their message. */
function once<A extends unknown[], R>(method: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  return async (...args: A) => {
    try {
      return await method(...args);
    } catch (error) {
      if (error instanceof Error && !debugEnabled()) {
        quietConsole();
        error.stack = SHOWN_ONCE;
      }
      throw error;
    }
  };
}

/**
 * Check failures as the engine shows them: it looks a failure's property up as a top-level key, so a
 * nested path (`source.minDisk`) would show as `value {<nil>}`; the failure names the top-level input,
 * and its reason the field inside it.
 */
export function forEngine(result: pulumi.dynamic.CheckResult): pulumi.dynamic.CheckResult {
  if (!result.failures?.length) return result;
  return {
    ...result,
    failures: result.failures.map((f) => {
      const top = f.property.split(/[.[]/)[0];
      return top === f.property ? f : { property: top, reason: f.reason.startsWith(f.property) ? f.reason : `${f.property}: ${f.reason}` };
    }),
  };
}

/** The implementation of one resource kind, with `configure` shared by all kinds. */
export function providerFor(kind: string): Required<pulumi.dynamic.ResourceProvider> {
  if (!(RESOURCE_KINDS as readonly string[]).includes(kind)) {
    const { version } = packageInfo();
    throw new Error(
      `pulumi-ims ${version} has no resource kind "${kind}". The state was written by another version ` +
        `of pulumi-ims: install that version in the program's directory (npm install pulumi-ims@<version>).`,
    );
  }
  const implementation = implementations[kind as ResourceKind];
  return {
    configure,
    check: once(async (olds: unknown, news: unknown) => forEngine(await implementation.check(olds, news))),
    diff: once(implementation.diff.bind(implementation)),
    create: once(implementation.create.bind(implementation)),
    read: once(implementation.read.bind(implementation)),
    update: once(implementation.update.bind(implementation)),
    delete: once(implementation.delete.bind(implementation)),
  };
}
