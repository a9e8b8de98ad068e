/** The SDK's sources as the TypeScript compiler reads them (with the repository's tsconfig.json). */
import * as path from "node:path";
import * as ts from "typescript";

export const ROOT = path.resolve(__dirname, "../..");
export const SDK_DIR = path.join(ROOT, "sdk");
/** The modules users import: `pulumi-ims` and `pulumi-ims/testing`. */
export const SDK_ENTRIES = ["index.ts", "testing.ts"].map((f) => path.join(SDK_DIR, f));

export function repoOptions(): ts.CompilerOptions {
  const config = ts.readConfigFile(path.join(ROOT, "tsconfig.json"), (f) => ts.sys.readFile(f));
  return { ...ts.parseJsonConfigFileContent(config.config, ts.sys, ROOT).options, noEmit: true };
}

/** Whether a symbol is declared in a file under `dir`. */
export const declaredUnder = (symbol: ts.Symbol, dir: string): boolean =>
  (symbol.declarations ?? []).some((d) => path.resolve(d.getSourceFile().fileName).startsWith(dir + path.sep));

/** What the entry modules export, by name, aliases resolved. */
export function exportsOf(program: ts.Program, entries: string[]): Map<string, ts.Symbol> {
  const checker = program.getTypeChecker();
  const exported = new Map<string, ts.Symbol>();
  for (const entry of entries) {
    for (const symbol of checker.getExportsOfModule(checker.getSymbolAtLocation(program.getSourceFile(entry)!)!)) {
      exported.set(symbol.name, symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol);
    }
  }
  return exported;
}
