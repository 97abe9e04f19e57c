import { join } from 'node:path';
import * as ts from 'typescript';

// What stands between the public API and a jsii build (README "jsii status"), checked on the
// compiled types of everything lib/index.ts exports: `any` and union types on properties and
// parameters, and free functions (jsii drops them; other languages need static classes). The
// lists below are today's; a new entry fails, and a fixed one asks to be struck off.

/** Members typed `any` or a union (beyond `| undefined`), as `Type.member` or `Type.method(param)`. */
const KNOWN_ANY_OR_UNION: string[] = [
  'BatchFreshness.pacedBy', 'PredictionRule.prediction', 'ReportEntry.level', 'RuleCondition.equals',
  'RuleCondition.notEquals', 'RuleSpec.prediction', 'SpecProblem.value',
];

/** Exported free functions (jsii ignores them). */
const KNOWN_FREE_FUNCTIONS: string[] = [
  'acceptsVolumeKmsKey', 'assertPatternChecks', 'batchFreshness', 'billMarkdown', 'chooseFrontEnd', 'chooseServing',
  'criticalAgeMs', 'deriveCapacity', 'formatDuration', 'formatFinding', 'formatProblem', 'formatSpecReport',
  'frontEndCosts', 'frontEndOptionsMarkdown', 'generateSpecSchema', 'inferMetricDirection', 'inspectModelSpec', 'inspectModelSpecObject',
  'inspectModelSpecs', 'instanceHourPrice', 'isEmailOwner', 'isGpuInstanceType', 'loadModelSpec', 'loadModelSpecs',
  'maxIntervalMs', 'minimumTtlMs', 'modelSpecFiles', 'parseCron', 'parseDuration', 'parseModelSpec',
  'parseModelSpecObject', 'parseModelSpecText', 'parseSize', 'platformEndpoints', 'pricesFor', 'privateLinkEndpoint',
  'readModelSpec', 'relatedPaths', 'renderSpecSchema', 'reportEntries', 'reportErrors', 'reportFor',
  'runPatternChecks', 'servingConfigJson', 'servingDemand', 'summaryMarkdown', 'toEventBridgeCron', 'validateAccess',
  'validateModelSpecs', 'validatePeakWindows', 'validateTraffic', 'warningAgeMs',
];

const ROOT = join(__dirname, '..', '..');

function publicApi(): { anyOrUnion: string[]; freeFunctions: string[] } {
  const program = ts.createProgram([join(ROOT, 'lib', 'index.ts')], {
    target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS, strict: true, skipLibCheck: true, esModuleInterop: true, resolveJsonModule: true, noEmit: true,
  });
  const checker = program.getTypeChecker();
  const index = checker.getSymbolAtLocation(program.getSourceFile(join(ROOT, 'lib', 'index.ts'))!)!;
  const anyOrUnion = new Set<string>();
  const freeFunctions = new Set<string>();

  const bad = (type: ts.Type): boolean => {
    if (type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return true;
    if (!type.isUnion()) return false;
    const rest = type.types.filter((t) => !(t.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Null)));
    // `boolean` is `true | false`, and an enum is the union of its members: both are fine.
    if (rest.every((t) => t.flags & ts.TypeFlags.BooleanLiteral)) return false;
    if (rest.every((t) => t.flags & ts.TypeFlags.EnumLiteral)) return false;
    return rest.length > 1;
  };
  const isPublic = (d: ts.Declaration) => !(ts.getCombinedModifierFlags(d) & ts.ModifierFlags.Private) && !(ts.getNameOfDeclaration(d) && ts.isPrivateIdentifier(ts.getNameOfDeclaration(d)!));

  for (const exported of checker.getExportsOfModule(index)) {
    const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    const name = exported.getName();
    if (symbol.flags & ts.SymbolFlags.Function) { freeFunctions.add(name); continue; }
    if (!(symbol.flags & (ts.SymbolFlags.Class | ts.SymbolFlags.Interface))) continue;
    const declared = checker.getDeclaredTypeOfSymbol(symbol);
    const sides: ts.Type[] = [declared];
    if (symbol.flags & ts.SymbolFlags.Class) sides.push(checker.getTypeOfSymbol(symbol)); // statics
    for (const side of sides) {
      for (const member of side.getProperties()) {
        const decl = member.valueDeclaration ?? member.declarations?.[0];
        if (!decl || !isPublic(decl) || member.getName() === 'prototype') continue;
        // Members inherited from aws-cdk-lib or constructs are theirs to answer for.
        if (decl.getSourceFile().fileName.includes('node_modules')) continue;
        const type = checker.getTypeOfSymbolAtLocation(member, decl);
        const signatures = type.getCallSignatures();
        if (signatures.length > 0 && (member.flags & ts.SymbolFlags.Method)) {
          for (const sig of signatures) {
            for (const param of sig.getParameters()) {
              if (bad(checker.getTypeOfSymbolAtLocation(param, decl))) anyOrUnion.add(`${name}.${member.getName()}(${param.getName()})`);
            }
            if (bad(sig.getReturnType())) anyOrUnion.add(`${name}.${member.getName()}()`);
          }
        } else if (bad(type)) {
          anyOrUnion.add(`${name}.${member.getName()}`);
        }
      }
    }
  }
  return { anyOrUnion: [...anyOrUnion].sort(), freeFunctions: [...freeFunctions].sort() };
}

const api = publicApi();

test('no new `any` or union type in the public API', () => {
  expect(api.anyOrUnion.filter((m) => !KNOWN_ANY_OR_UNION.includes(m))).toEqual([]);
});

test('no new exported free function (use a static method of a class)', () => {
  expect(api.freeFunctions.filter((f) => !KNOWN_FREE_FUNCTIONS.includes(f))).toEqual([]);
});

test('the known lists hold only what is still there (strike off what was fixed)', () => {
  expect(KNOWN_ANY_OR_UNION.filter((m) => !api.anyOrUnion.includes(m))).toEqual([]);
  expect(KNOWN_FREE_FUNCTIONS.filter((f) => !api.freeFunctions.includes(f))).toEqual([]);
});
