import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

// Every package's public surface (each entry point of its `exports` map, types included) is a
// snapshot: a change to what a package offers shows in review as a change to this file's snapshots.
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const packages = [...readdirSync(join(root, 'packages')).map((dir) => `packages/${dir}`), 'stacks'];

interface PackageJson {
  readonly name: string;
  readonly exports?: Record<string, { readonly default: string }>;
  readonly main?: string;
}

/** The source module of each entry point: `./dist/x.js` is built from `src/x.ts` (stacks: `lib/`). */
function entryPoints(dir: string): Map<string, string> {
  const manifest = JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8')) as PackageJson;
  const entries = new Map<string, string>();
  const source = (built: string): string => built.replace(/^\.\/dist\//, 'src/').replace(/\.js$/, '.ts');
  for (const [subpath, target] of Object.entries(manifest.exports ?? {})) {
    if (subpath.includes('*')) {
      const folder = dirname(source(target.default));
      for (const file of readdirSync(join(root, dir, folder))
        .filter((f) => f.endsWith('.ts'))
        .sort()) {
        entries.set(subpath.replace('*', file.replace(/\.ts$/, '')), join(dir, folder, file));
      }
    } else entries.set(subpath, join(dir, source(target.default)));
  }
  if (entries.size === 0) entries.set('.', join(dir, dir === 'stacks' ? 'lib/app.ts' : 'src/index.ts'));
  return entries;
}

/** `kind name` for each export of `file`, sorted: the kind tells a type from a value. */
function surfaceOf(program: ts.Program, file: string): string[] {
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(join(root, file));
  if (!source) throw new Error(`${file} is not in the program`);
  const module = checker.getSymbolAtLocation(source);
  if (!module) return [];
  return checker
    .getExportsOfModule(module)
    .map((symbol) => {
      const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
      const f = target.flags;
      const kind =
        f & ts.SymbolFlags.Class
          ? 'class'
          : f & ts.SymbolFlags.Function
            ? 'function'
            : f & ts.SymbolFlags.Enum
              ? 'enum'
              : f & ts.SymbolFlags.Variable
                ? f & (ts.SymbolFlags.TypeAlias | ts.SymbolFlags.Interface)
                  ? 'const+type'
                  : 'const'
                : f & ts.SymbolFlags.Interface
                  ? 'interface'
                  : 'type';
      return `${kind} ${symbol.getName()}`;
    })
    .sort();
}

describe('public surfaces', () => {
  const entries = new Map(packages.map((dir) => [dir, entryPoints(dir)]));
  const files = [...entries.values()].flatMap((points) => [...points.values()]).map((f) => join(root, f));
  const config = ts.getParsedCommandLineOfConfigFile(
    join(root, 'tsconfig.json'),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
        throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
      },
    },
  );
  const program = ts.createProgram(files, { ...config?.options, noEmit: true });

  for (const [dir, points] of entries) {
    it(`${dir} offers what its snapshot lists`, async () => {
      const surface = [...points].map(
        ([subpath, file]) =>
          `## ${subpath} (${relative(root, join(root, file))})\n${surfaceOf(program, file).join('\n')}`,
      );
      await expect(`${surface.join('\n\n')}\n`).toMatchFileSnapshot(
        join(root, 'test', 'unit', '__surfaces__', `${dir.replace('/', '-')}.txt`),
      );
    });
  }
});
