/** Field tables: the key check, the diff rules and the SDK's output lists all come from them. */
import { changedInputs, sdkOutputs, unknownKeys } from "../../provider/common/schema";
import { UNKNOWN } from "../../provider/common/values";
import { copySchema } from "../../provider/copies/schema";
import { exportSchema } from "../../provider/exports/schema";
import { dataImageSchema, imageSchema, type ImageInputs } from "../../provider/images/schema";
import { memberSchema } from "../../provider/members/schema";

const tables = { images: imageSchema, dataImages: dataImageSchema, members: memberSchema, copies: copySchema, exports: exportSchema };

describe.each(Object.entries(tables))("the %s table", (_area, schema) => {
  it("turns a change of each input into its rule", () => {
    for (const [key, rule] of Object.entries(schema.inputs)) {
      const changes = changedInputs(schema, { [key]: "old" }, { [key]: "new" });
      if (rule === "replace") expect(changes).toEqual({ replaces: [key], updates: [] });
      else if (rule === "create") expect(changes).toEqual({ replaces: [], updates: [] });
      else expect(changes).toEqual({ replaces: [], updates: [key] });
    }
  });

  it("takes a value unknown during preview for a change, and equal values for none", () => {
    const [key] = Object.keys(schema.inputs);
    expect(changedInputs(schema, { [key]: "x" }, { [key]: UNKNOWN })).toMatchObject({ [schema.inputs[key as keyof typeof schema.inputs] === "replace" ? "replaces" : "updates"]: [key] });
    expect(changedInputs(schema, { [key]: { a: 1 } }, { [key]: { a: 1 } })).toEqual({ replaces: [], updates: [] });
  });

  it("refuses keys that are not inputs, naming the inputs", () => {
    expect(unknownKeys(schema, { __provider: "code", colour: "blue" })).toEqual([{ property: "colour", reason: expect.stringMatching(/not an input of this resource; the inputs are /) }]);
  });

  it("gives the SDK the outputs it shows, and none of the provider's own bookkeeping", () => {
    const outputs = Object.keys(sdkOutputs(schema));
    expect(outputs).toEqual(Object.entries(schema.outputs).filter(([, shown]) => shown).map(([k]) => k));
    expect(outputs).not.toContain("pendingJobId");
    expect(outputs).not.toContain("failure");
    for (const key of outputs) expect(Object.keys(schema.inputs)).not.toContain(key);
  });
});

it("lets a kind compare an input its own way, and skip one", () => {
  const changes = changedInputs<ImageInputs>(imageSchema, { tags: undefined, region: "a" }, { tags: {}, region: "b" }, {
    compare: { tags: (o: unknown, n: unknown) => JSON.stringify(o ?? {}) !== JSON.stringify(n ?? {}) },
    skip: ["region"],
  });
  expect(changes).toEqual({ replaces: [], updates: [] });
});
