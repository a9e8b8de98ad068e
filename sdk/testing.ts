/**
 * pulumi-ims/testing: resources for checking a setup and for benchmarks, not for managing images.
 */
export { Probe, type ProbeArgs } from "./probe";
