// ESM loader hooks that run the TypeScript sources directly with SWC. Unlike tsx/esbuild, SWC emits
// decorator metadata, which NestJS dependency injection and TypeORM need.
import { transformFile } from '@swc/core';
import { existsSync } from 'node:fs';
import { fileURLToPath, URL } from 'node:url';
import { swcOptions } from './swc-options.mjs';

export async function resolve(specifier, context, nextResolve) {
  // Sources import './x.js' (NodeNext style); the file on disk is './x.ts'.
  if (
    (specifier.startsWith('.') || specifier.startsWith('/') || specifier.startsWith('file:')) &&
    specifier.endsWith('.js') &&
    context.parentURL
  ) {
    const url = new URL(specifier, context.parentURL);
    if (!existsSync(fileURLToPath(url))) {
      const ts = new URL(url.href.replace(/\.js$/, '.ts'));
      if (existsSync(fileURLToPath(ts))) return nextResolve(ts.href, context);
    }
  }
  return nextResolve(specifier, context);
}

export async function load(url, context, nextLoad) {
  if (url.startsWith('file:') && url.endsWith('.ts') && !url.includes('/node_modules/')) {
    const { code } = await transformFile(fileURLToPath(url), { ...swcOptions, filename: fileURLToPath(url) });
    return { format: 'module', source: code, shortCircuit: true };
  }
  return nextLoad(url, context);
}
