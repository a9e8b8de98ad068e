import type * as pulumi from "@pulumi/pulumi";

/**
 * The stack configuration handed to the provider process by the engine. Pulumi calls
 * `configure` once per resource kind before its first operation, possibly while other calls
 * already run, so it only stores the value, synchronously; clients are built lazily from it.
 */
let stackConfig: pulumi.dynamic.ConfigureRequest["config"] | undefined;

export async function configure(req: pulumi.dynamic.ConfigureRequest): Promise<void> {
  stackConfig = req.config;
}

/** The stored stack configuration, or undefined before the engine called `configure`. */
export function currentStackConfig(): pulumi.dynamic.ConfigureRequest["config"] | undefined {
  return stackConfig;
}
