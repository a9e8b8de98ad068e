/**
 * The SDK's types as a user's program meets them: the programs of type-cases.ts, written to a temporary
 * directory as files that import `pulumi-ims`, type-checked together by the TypeScript compiler with
 * `strict` and `exactOptionalPropertyTypes`, `pulumi-ims` mapped to the SDK's sources.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as ts from "typescript";
import { ROOT } from "./sdk-program";
import { TYPE_CASES } from "./type-cases";

const HEADER = ['import * as pulumi from "@pulumi/pulumi";', 'import * as ims from "pulumi-ims";', "void pulumi; void ims;"];

/** Each case's file, and the lines (1-based) the compiler reports errors on. */
function errorLines(exactOptionalPropertyTypes: boolean): Map<string, number[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pulumi-ims-types-"));
  try {
    const files = TYPE_CASES.map((c) => {
      const file = path.join(dir, `${c.name}.ts`);
      fs.writeFileSync(file, [...HEADER, c.code, "export {};"].join("\n"));
      return file;
    });
    const program = ts.createProgram(files, {
      strict: true,
      exactOptionalPropertyTypes,
      noEmit: true,
      skipLibCheck: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.Node16,
      moduleResolution: ts.ModuleResolutionKind.Node16,
      types: ["node"],
      typeRoots: [path.join(ROOT, "node_modules/@types")],
      paths: {
        "pulumi-ims": [path.join(ROOT, "sdk/index.ts")],
        "pulumi-ims/testing": [path.join(ROOT, "sdk/testing.ts")],
        "@pulumi/pulumi": [path.join(ROOT, "node_modules/@pulumi/pulumi")],
      },
    });
    expect(program.getOptionsDiagnostics()).toEqual([]);
    return new Map(
      TYPE_CASES.map((c, i) => {
        const source = program.getSourceFile(files[i])!;
        const lines = ts.getPreEmitDiagnostics(program, source).map((d) => source.getLineAndCharacterOfPosition(d.start ?? 0).line + 1);
        return [c.name, [...new Set(lines)]];
      }),
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The line (1-based, in the written file) marked `// error`. */
const markedLine = (code: string): number => HEADER.length + code.split("\n").findIndex((line) => line.includes("// error")) + 1;

describe.each([
  ["exact", true],
  ["loose", false],
] as const)("with exactOptionalPropertyTypes (%s: %s)", (mode, exact) => {
  let found: Map<string, number[]>;
  beforeAll(() => {
    found = errorLines(exact);
  }, 120_000);

  it.each(TYPE_CASES.filter((c) => c.compiles[mode]).map((c) => [c.name] as const))("compiles %s", (name) => {
    expect(found.get(name)).toEqual([]);
  });

  it.each(TYPE_CASES.filter((c) => !c.compiles[mode]).map((c) => [c.name, c.code] as const))("refuses %s, on the marked line", (name, code) => {
    expect(found.get(name)).toEqual([markedLine(code)]);
  });
});

it("marks the line of every program that must fail", () => {
  for (const c of TYPE_CASES.filter((t) => !t.compiles.exact || !t.compiles.loose)) expect(markedLine(c.code)).toBeGreaterThan(HEADER.length);
});
