import { randomUUID } from "node:crypto";
import type * as pulumi from "@pulumi/pulumi";
import { packageInfo } from "./package-info";
import type { ImsResourceProvider } from "./types";

/** Inputs of a Probe as the engine stores them. */
export interface ProbeInputs {
  message: string;
}

/** Outputs of a Probe: its inputs plus the package that served the last operation. */
export interface ProbeOutputs extends ProbeInputs {
  servedBy: string;
}

const MAX_MESSAGE_LENGTH = 255;

function servedBy(): string {
  const { name, version } = packageInfo();
  return `${name}@${version}`;
}

/**
 * A resource that calls no cloud API. It proves that the engine can load this package's
 * provider through the serialized shim, and serves as the no-op baseline in benchmarks.
 */
export const probe = {
  async check(_olds, news) {
    const failures: pulumi.dynamic.CheckFailure[] = [];
    const message: unknown = news.message;
    if (typeof message !== "string" || message.length === 0) {
      failures.push({ property: "message", reason: "message is required: give a non-empty string" });
    } else if (message.length > MAX_MESSAGE_LENGTH) {
      failures.push({
        property: "message",
        reason: `message has ${message.length} characters; at most ${MAX_MESSAGE_LENGTH} are allowed`,
      });
    }
    return failures.length > 0 ? { failures } : { inputs: { message: news.message } };
  },

  async diff(_id, olds, news) {
    return { changes: olds.message !== news.message, replaces: [], deleteBeforeReplace: false };
  },

  async create(inputs) {
    return { id: `probe-${randomUUID()}`, outs: { message: inputs.message, servedBy: servedBy() } };
  },

  async read(id, props) {
    if (!props) return { id: "" };
    return { id, props, inputs: { message: props.message } };
  },

  async update(_id, _olds, news) {
    return { outs: { message: news.message, servedBy: servedBy() } };
  },

  async delete() {
    // Nothing exists outside the state.
  },
} satisfies ImsResourceProvider<ProbeInputs, ProbeOutputs>;
