/**
 * The outputs each SDK class declares: every input of its arguments is among them (the state holds the
 * inputs as last applied), each is an input or a shown output of its field table, every shown output is
 * declared, and each declared one is a real Output of a resource, given or not (seeded at registration).
 */
import * as pulumi from "@pulumi/pulumi";
import * as ts from "typescript";
import { copySchema } from "../../provider/copies/schema";
import { exportSchema } from "../../provider/exports/schema";
import { dataImageSchema, imageSchema } from "../../provider/images/schema";
import { memberSchema } from "../../provider/members/schema";
import { declaredUnder, exportsOf, repoOptions, SDK_DIR, SDK_ENTRIES } from "./sdk-program";

pulumi.runtime.setMocks({ newResource: (args) => ({ id: `${args.name}-id`, state: args.inputs }), call: () => ({}) }, "project", "stack", false);

// eslint-disable-next-line @typescript-eslint/no-require-imports
const ims = require("../../sdk") as typeof import("../../sdk");

const program = ts.createProgram(SDK_ENTRIES, repoOptions());
const checker = program.getTypeChecker();
const exported = exportsOf(program, SDK_ENTRIES);

/** The properties of an exported class's instances, or of an exported interface, that the SDK declares. */
function declared(name: string): string[] {
  const symbol = exported.get(name)!;
  return checker
    .getPropertiesOfType(checker.getDeclaredTypeOfSymbol(symbol))
    .filter((p) => declaredUnder(p, SDK_DIR))
    .map((p) => p.name)
    .sort();
}

const image = { imageUrl: "images-bucket:ubuntu.qcow2", minDisk: 40 };
const classes = [
  { name: "PrivateImage", schema: imageSchema, make: () => new ims.PrivateImage("private", { source: image }) },
  { name: "DataImage", schema: dataImageSchema, make: () => new ims.DataImage("data", { source: image }) },
  { name: "ImageMember", schema: memberSchema, make: () => new ims.ImageMember("member", { imageId: "i", projectId: "p" }) },
  { name: "ImageCopy", schema: copySchema, make: () => new ims.ImageCopy("copy", { sourceImageId: "i" }) },
  { name: "ImageExport", schema: exportSchema, make: () => new ims.ImageExport("export", { imageId: "i", bucketUrl: "b:f", quickExport: true }) },
];

describe.each(classes)("$name", ({ name, schema, make }) => {
  const outputs = declared(name);

  it("declares every input of its arguments as an output", () => {
    expect(declared(`${name}Args`).filter((input) => !outputs.includes(input))).toEqual([]);
  });

  it("declares only inputs and shown outputs of its field table, and every shown output", () => {
    const shown = Object.keys(schema.outputs).filter((k) => schema.outputs[k as keyof typeof schema.outputs]);
    expect(outputs.filter((o) => !(o in schema.inputs) && !shown.includes(o))).toEqual([]);
    expect(shown.filter((o) => !outputs.includes(o))).toEqual([]);
  });

  it("gives each declared output as an Output, though the program gave only the required inputs", async () => {
    const resource = make() as unknown as Record<string, unknown>;
    await new Promise((settled) => setTimeout(settled, 50)); // the registration, before the test ends
    expect(outputs.filter((o) => !pulumi.Output.isInstance(resource[o]))).toEqual([]);
  });
});
