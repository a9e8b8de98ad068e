/**
 * Every class and interface the SDK exports (pulumi-ims and pulumi-ims/testing), and every property
 * of them — inputs, outputs, source fields, inherited ones —, carries a TSDoc comment: read with the
 * TypeScript compiler from the SDK's own sources.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as ts from "typescript";
import { declaredUnder, exportsOf, repoOptions, SDK_DIR, SDK_ENTRIES } from "./sdk-program";

const documented = (symbol: ts.Symbol, checker: ts.TypeChecker): boolean => ts.displayPartsToString(symbol.getDocumentationComment(checker)).trim() !== "";

/**
 * What the entry files export, declared under `ownDir`, without a TSDoc comment: the classes, interfaces
 * and type aliases themselves (`Name`), and each property of them or of a union's members (`Name.property`).
 */
function undocumented(entries: string[], ownDir: string, options: ts.CompilerOptions): string[] {
  const program = ts.createProgram(entries, options);
  const checker = program.getTypeChecker();
  const missing = new Set<string>();
  for (const symbol of exportsOf(program, entries).values()) {
    if (!declaredUnder(symbol, ownDir) || !(symbol.flags & (ts.SymbolFlags.Class | ts.SymbolFlags.Interface | ts.SymbolFlags.TypeAlias))) continue;
    if (!documented(symbol, checker)) missing.add(symbol.name);
    const type = checker.getDeclaredTypeOfSymbol(symbol);
    for (const member of type.isUnion() ? type.types : [type]) {
      for (const property of checker.getPropertiesOfType(member)) {
        if (declaredUnder(property, ownDir) && !documented(property, checker)) missing.add(`${symbol.name}.${property.name}`);
      }
    }
  }
  return [...missing].sort();
}

it("finds no export of the SDK, nor any of their properties, without a TSDoc comment", () => {
  expect(undocumented(SDK_ENTRIES, SDK_DIR, repoOptions())).toEqual([]);
}, 60_000);

it("names an undocumented property, of a class, an interface, an inherited base and a union member", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tsdoc-"));
  try {
    fs.writeFileSync(
      path.join(dir, "index.ts"),
      `/** Base. */
      interface Base {
        bare: string;
        /** Doc. */
        told: string;
      }
      /** A. */
      export interface A extends Base {
        /** Doc. */
        ok: number;
        plain: number;
      }
      /** B. */
      export interface B {
        kind: string;
      }
      /** U. */
      export type U = A | B;
      export class C {
        /** Doc. */
        declare told: string;
        declare untold: string;
      }`,
    );
    expect(undocumented([path.join(dir, "index.ts")], dir, { strict: true, noEmit: true })).toEqual(["A.bare", "A.plain", "B.kind", "C", "C.untold", "U.bare", "U.kind", "U.plain"]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
