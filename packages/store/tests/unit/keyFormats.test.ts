import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

// The store owns its key formats (issue 18): outside packages/store/src no source imports one,
// neither by name (from any module) nor by reaching into the store's internal modules. Callers
// use the store's reads (feed.changes, stateAt, the catalog...) and its schema instead.
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
const KEYS_MODULE = join(root, 'packages/store/src/keys.ts');
const PUBLIC_MODULE = join(root, 'packages/store/src/index.ts');
/** The store's modules that hold key formats or item codecs: internal, whatever they export. */
const INTERNAL_MODULE = /(@ssmhub\/store|packages\/store|\.\.\/store)\/(src|dist)\/(keys|items|restoreRecord|index\/)/;
/** The sources the rule covers: every package's src but the store's, the stacks, the console's web UI. */
const SOURCE_ROOTS = [
  ...readdirSync(join(root, 'packages'))
    .filter((name) => name !== 'store')
    .map((name) => `packages/${name}/src`),
  'packages/console/web',
  'stacks/lib',
  'stacks/bin',
];

/** What @ssmhub/store offers on purpose (a key format it publishes is not internal: the restore prefix IAM needs). */
function publicNames(): Set<string> {
  const program = ts.createProgram([PUBLIC_MODULE], {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    noEmit: true,
  });
  const checker = program.getTypeChecker();
  const module = checker.getSymbolAtLocation(program.getSourceFile(PUBLIC_MODULE) as ts.SourceFile);
  return new Set(module ? checker.getExportsOfModule(module).map((symbol) => symbol.getName()) : []);
}

/** Every name keys.ts exports and the store does not publish: each one is a key format (or the planning of its partitions). */
function keyFormatNames(): Set<string> {
  const published = publicNames();
  const source = ts.createSourceFile(KEYS_MODULE, readFileSync(KEYS_MODULE, 'utf8'), ts.ScriptTarget.Latest);
  const names = new Set<string>();
  for (const statement of source.statements) {
    const exported = ts.canHaveModifiers(statement)
      ? ts.getModifiers(statement)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)
      : false;
    if (!exported) continue;
    if (ts.isFunctionDeclaration(statement) && statement.name) names.add(statement.name.text);
    if (ts.isVariableStatement(statement)) {
      for (const declaration of statement.declarationList.declarations) {
        if (ts.isIdentifier(declaration.name)) names.add(declaration.name.text);
      }
    }
  }
  return new Set([...names].filter((name) => !published.has(name)));
}

/** What a source imports that is a key format: `file:line name` (or the internal module it reaches). */
export function keyFormatImports(fileName: string, text: string, forbidden: ReadonlySet<string>): string[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const report = (node: ts.Node, what: string): void => {
    const { line } = source.getLineAndCharacterOfPosition(node.getStart(source));
    found.push(`${fileName}:${line + 1} ${what}`);
  };
  const visit = (node: ts.Node): void => {
    const specifier =
      (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) &&
      node.moduleSpecifier &&
      ts.isStringLiteral(node.moduleSpecifier)
        ? node.moduleSpecifier.text
        : ts.isCallExpression(node) &&
            node.expression.kind === ts.SyntaxKind.ImportKeyword &&
            node.arguments[0] &&
            ts.isStringLiteral(node.arguments[0])
          ? node.arguments[0].text
          : undefined;
    if (specifier !== undefined && INTERNAL_MODULE.test(specifier)) report(node, specifier);
    const bindings = ts.isImportDeclaration(node)
      ? node.importClause?.namedBindings
      : ts.isExportDeclaration(node)
        ? node.exportClause
        : undefined;
    if (bindings && (ts.isNamedImports(bindings) || ts.isNamedExports(bindings))) {
      for (const element of bindings.elements) {
        const imported = (element.propertyName ?? element.name).text;
        if (forbidden.has(imported)) report(element, imported);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

function sourceFiles(dir: string): string[] {
  const path = join(root, dir);
  if (!statSync(path, { throwIfNoEntry: false })?.isDirectory()) return [];
  return readdirSync(path, { recursive: true, encoding: 'utf8' })
    .filter((file) => /\.tsx?$/.test(file) && !file.endsWith('.d.ts'))
    .map((file) => join(dir, file));
}

describe('key formats stay in the store', () => {
  const forbidden = keyFormatNames();

  it('knows the key formats by what keys.ts exports and the store does not publish', () => {
    for (const name of [
      'keyName',
      'locationPartition',
      'recordPrefix',
      'feedShard',
      'monthsBetween',
      'versionObjectKey',
    ]) {
      expect(forbidden).toContain(name);
    }
    expect(forbidden).not.toContain('RESTORE_PARTITION_PREFIX');
  });

  it('finds a key format imported by name or through an internal module, and nothing else', () => {
    const planted = [
      "import { keyName, IndexTable } from '@ssmhub/store';",
      "import { recordPrefix as prefix } from '@ssmhub/core';",
      "export { feedShard } from './anywhere.js';",
      "import { toRecordItem } from '../../store/src/items.js';",
      "const keys = await import('@ssmhub/store/dist/keys.js');",
      "import { IndexTableSchema, IndexPartitions, VersionObjects } from '@ssmhub/store';",
    ].join('\n');
    expect(keyFormatImports('planted.ts', planted, forbidden)).toEqual([
      'planted.ts:1 keyName',
      'planted.ts:2 recordPrefix',
      'planted.ts:3 feedShard',
      'planted.ts:4 ../../store/src/items.js',
      'planted.ts:5 @ssmhub/store/dist/keys.js',
    ]);
  });

  it('no source outside packages/store/src imports one', () => {
    const files = SOURCE_ROOTS.flatMap(sourceFiles);
    expect(files.length).toBeGreaterThan(100);
    const found = files.flatMap((file) =>
      keyFormatImports(relative(root, join(root, file)), readFileSync(join(root, file), 'utf8'), forbidden),
    );
    expect(found).toEqual([]);
  });
});
