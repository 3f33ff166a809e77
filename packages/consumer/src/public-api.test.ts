// kafkajs stays behind this package: no type reachable from its exports may come from kafkajs, so callers (the
// app) never depend on it and another client could take its place. Checked with the TypeScript compiler on the
// sources, through every exported function's parameters and results and every exported type's members.
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const index = fileURLToPath(new URL('./index.ts', import.meta.url));
const tsconfig = fileURLToPath(new URL('../tsconfig.json', import.meta.url));

function kafkajsTypesReachableFromExports(): string[] {
  const { config } = ts.readConfigFile(tsconfig, (path) => ts.sys.readFile(path));
  const parsed = ts.parseJsonConfigFileContent(config, ts.sys, fileURLToPath(new URL('..', import.meta.url)));
  const program = ts.createProgram([index], parsed.options);
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(index);
  const moduleSymbol = source === undefined ? undefined : checker.getSymbolAtLocation(source);
  if (moduleSymbol === undefined) throw new Error('index.ts has no module symbol');

  const found = new Set<string>();
  const seen = new Set<ts.Type>();
  const fromKafkajs = (symbol: ts.Symbol | undefined) =>
    (symbol?.declarations ?? []).some((d) => /[\\/]kafkajs[\\/]/.test(d.getSourceFile().fileName));

  // Types of the standard library and @types/node are leaves: their members are not this package's API.
  const fromLibrary = (symbol: ts.Symbol | undefined) =>
    (symbol?.declarations ?? []).some((d) => {
      const file = d.getSourceFile();
      return program.isSourceFileDefaultLibrary(file) || /[\\/]@types[\\/]node[\\/]/.test(file.fileName);
    });

  const visit = (type: ts.Type, path: string): void => {
    if (seen.has(type)) return;
    seen.add(type);
    if (fromKafkajs(type.getSymbol()) || fromKafkajs(type.aliasSymbol)) {
      found.add(`${path}: ${checker.typeToString(type)}`);
      return;
    }
    if (type.isUnionOrIntersection()) for (const t of type.types) visit(t, path);
    for (const t of type.aliasTypeArguments ?? []) visit(t, path);
    if (type.flags & ts.TypeFlags.Object && (type as ts.ObjectType).objectFlags & ts.ObjectFlags.Reference) {
      for (const t of checker.getTypeArguments(type as ts.TypeReference)) visit(t, `${path}<>`);
    }
    if (type.flags & ts.TypeFlags.Object && !fromLibrary(type.getSymbol())) {
      for (const signature of [...type.getCallSignatures(), ...type.getConstructSignatures()]) {
        for (const parameter of signature.getParameters()) {
          visit(checker.getTypeOfSymbol(parameter), `${path}(${parameter.getName()})`);
        }
        visit(signature.getReturnType(), `${path}()`);
      }
      for (const property of type.getProperties()) {
        visit(checker.getTypeOfSymbol(property), `${path}.${property.getName()}`);
      }
    }
  };

  for (const exported of checker.getExportsOfModule(moduleSymbol)) {
    const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    const name = exported.getName();
    if (symbol.flags & ts.SymbolFlags.Value) visit(checker.getTypeOfSymbol(symbol), name);
    if (symbol.flags & ts.SymbolFlags.Type) visit(checker.getDeclaredTypeOfSymbol(symbol), name);
  }
  return [...found].sort();
}

describe('the public API', () => {
  it('has no kafkajs type in any export, parameter, result or member', () => {
    expect(kafkajsTypesReachableFromExports()).toEqual([]);
  });
});
