import { describe, expect, it } from '@jest/globals';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/**
 * "No JS number touches money", checked with the type checker over the billing code: a value whose
 * name says money (amount, price, cost, total, budget, fee, spend) must not be typed number, and a
 * Decimal is never turned into a number (toNumber, Number(), parseFloat, unary +). ESLint's syntax rule
 * (eslint.config.js) catches the obvious cases everywhere; this catches what needs types.
 */
const MONEY_NAME = /amount|price|cost|total|budget|fee|spend|money/i;
const ROOT = path.resolve(import.meta.dirname, '../../..');
const CHECKED_DIRS = ['src/modules/billing'];
const CHECKED_FILES = ['bench/rebill.ts'];

function sourceFiles(): string[] {
  const files = CHECKED_DIRS.flatMap((dir) =>
    readdirSync(path.join(ROOT, dir), { recursive: true, encoding: 'utf8' })
      .filter((file) => file.endsWith('.ts'))
      .map((file) => path.join(ROOT, dir, file)),
  );
  return [
    ...files,
    ...CHECKED_FILES.map((file) => path.join(ROOT, file)).filter((file) => ts.sys.fileExists(file)),
  ];
}

const NAMED = new Set([
  ts.SyntaxKind.VariableDeclaration,
  ts.SyntaxKind.Parameter,
  ts.SyntaxKind.PropertyDeclaration,
  ts.SyntaxKind.PropertySignature,
  ts.SyntaxKind.PropertyAssignment,
  ts.SyntaxKind.ShorthandPropertyAssignment,
  ts.SyntaxKind.BindingElement,
  ts.SyntaxKind.GetAccessor,
  ts.SyntaxKind.MethodDeclaration,
  ts.SyntaxKind.FunctionDeclaration,
]);

function isNumberish(type: ts.Type): boolean {
  if (type.flags & ts.TypeFlags.NumberLike) return true;
  return type.isUnion() && type.types.some(isNumberish);
}

function isDecimal(checker: ts.TypeChecker, node: ts.Node): boolean {
  const symbol = checker.getTypeAtLocation(node).getSymbol();
  return symbol?.getName() === 'Decimal';
}

export function moneyViolations(program: ts.Program, files: string[]): string[] {
  const checker = program.getTypeChecker();
  const found: string[] = [];
  for (const file of files) {
    const source = program.getSourceFile(file);
    if (!source) throw new Error(`not in the program: ${file}`);
    const report = (node: ts.Node, what: string) => {
      const { line } = source.getLineAndCharacterOfPosition(node.getStart());
      found.push(`${path.relative(ROOT, file)}:${line + 1}: ${what}`);
    };
    const visit = (node: ts.Node): void => {
      const name = (node as { name?: ts.Node }).name;
      if (NAMED.has(node.kind) && name && ts.isIdentifier(name) && MONEY_NAME.test(name.text)) {
        let type = checker.getTypeAtLocation(name);
        if (ts.isFunctionLike(node))
          type = checker.getSignatureFromDeclaration(node)?.getReturnType() ?? type;
        if (isNumberish(type))
          report(node, `'${name.text}' is money but typed ${checker.typeToString(type)}`);
      }
      if (ts.isCallExpression(node)) {
        const callee = node.expression;
        if (
          ts.isPropertyAccessExpression(callee) &&
          callee.name.text === 'toNumber' &&
          isDecimal(checker, callee.expression)
        )
          report(node, 'Decimal.toNumber() turns money into a JS number');
        if (
          ts.isIdentifier(callee) &&
          /^(Number|parseFloat|parseInt)$/.test(callee.text) &&
          node.arguments.some((a) => isDecimal(checker, a))
        )
          report(node, `${callee.text}() of a Decimal`);
      }
      if (
        ts.isPrefixUnaryExpression(node) &&
        node.operator === ts.SyntaxKind.PlusToken &&
        isDecimal(checker, node.operand)
      )
        report(node, 'unary + of a Decimal');
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return found;
}

function programWith(files: string[], virtual: Record<string, string> = {}): ts.Program {
  const parsed = ts.getParsedCommandLineOfConfigFile(
    path.join(ROOT, 'tsconfig.json'),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(String(d.messageText));
      },
    },
  )!;
  const host = ts.createCompilerHost(parsed.options);
  const original = host.getSourceFile.bind(host);
  host.getSourceFile = (name, version, ...rest) =>
    name in virtual ? ts.createSourceFile(name, virtual[name], version) : original(name, version, ...rest);
  const originalExists = host.fileExists.bind(host);
  host.fileExists = (name) => name in virtual || originalExists(name);
  return ts.createProgram([...files, ...Object.keys(virtual)], { ...parsed.options, noEmit: true }, host);
}

describe('money never touches a JS number', () => {
  // One program for both: building it is the slow part.
  const fixture = path.join(ROOT, 'src/modules/billing/__money_fixture__.ts');
  const files = sourceFiles();
  const program = programWith(files, {
    [fixture]: `
      import { Dec } from './money.js';
      const price = new Dec('1.10');
      export const amount: number = 3;
      export function total(): number | null { return null; }
      export interface Line { unitPrice: number; }
      export const a = price.toNumber();
      export const b = Number(price);
      export const c = +price;
      export const ok = { costLabel: 'x', budget: price };
    `,
  });

  it('holds for the billing code', () => {
    expect(files.length).toBeGreaterThan(2);
    expect(moneyViolations(program, files)).toEqual([]);
  });

  it('the check catches each kind of violation', () => {
    const violations = moneyViolations(program, [fixture]).map((v) => v.replace(/^[^:]+:\d+: /, ''));
    expect(violations).toEqual([
      "'amount' is money but typed number",
      "'total' is money but typed number | null",
      "'unitPrice' is money but typed number",
      'Decimal.toNumber() turns money into a JS number',
      'Number() of a Decimal',
      'unary + of a Decimal',
    ]);
  });
});
