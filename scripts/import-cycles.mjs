#!/usr/bin/env node
// Fails when a module imports itself through others: every relative import and every import of a workspace
// package (read as its src/index.ts), type-only imports included, across all packages and apps. A cycle makes
// load order matter and hides which module owns what. Usage: node scripts/import-cycles.mjs
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const groups = ['packages', 'apps'];

/** Workspace package name -> its source entry. */
const entries = new Map();
const files = [];
for (const group of groups) {
  for (const name of readdirSync(join(root, group))) {
    const dir = join(root, group, name);
    let manifest;
    try {
      manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    } catch {
      continue;
    }
    entries.set(manifest.name, join(dir, 'src', 'index.ts'));
    for (const sub of ['src', 'test', 'bench']) collect(join(dir, sub));
  }
}

function collect(dir) {
  let names;
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    if (name === 'node_modules' || name === 'dist') continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) collect(path);
    else if (/\.(ts|mts)$/.test(name) && !name.endsWith('.d.ts')) files.push(path);
  }
}

// `import … from 'x'`, `export … from 'x'`, `import 'x'`, `import('x')`; comments are stripped first.
const specifier = /(?:\bfrom\s*|\bimport\s*\(?\s*)['"]([^'"]+)['"]/g;

function importsOf(file) {
  const text = readFileSync(file, 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
  const found = new Set();
  for (const match of text.matchAll(specifier)) {
    const spec = match[1];
    let target;
    if (spec.startsWith('.')) {
      target = resolve(dirname(file), spec.replace(/\.js$/, '.ts'));
    } else {
      const name = spec
        .split('/')
        .slice(0, spec.startsWith('@') ? 2 : 1)
        .join('/');
      target = entries.get(name);
    }
    if (target !== undefined && target !== file) found.add(target);
  }
  return [...found];
}

const graph = new Map(files.map((file) => [file, importsOf(file).filter((t) => files.includes(t))]));

// Tarjan's strongly connected components: each component of more than one module is a cycle.
let counter = 0;
const index = new Map();
const low = new Map();
const stack = [];
const onStack = new Set();
const cycles = [];
function visit(node) {
  index.set(node, counter);
  low.set(node, counter);
  counter++;
  stack.push(node);
  onStack.add(node);
  for (const next of graph.get(node) ?? []) {
    if (!index.has(next)) {
      visit(next);
      low.set(node, Math.min(low.get(node), low.get(next)));
    } else if (onStack.has(next)) {
      low.set(node, Math.min(low.get(node), index.get(next)));
    }
  }
  if (low.get(node) === index.get(node)) {
    const component = [];
    let member;
    do {
      member = stack.pop();
      onStack.delete(member);
      component.push(member);
    } while (member !== node);
    if (component.length > 1) cycles.push(component);
  }
}
for (const file of files) if (!index.has(file)) visit(file);

if (cycles.length > 0) {
  for (const cycle of cycles) {
    console.error(
      `Import cycle among: ${cycle
        .map((f) => relative(root, f))
        .sort()
        .join(', ')}`,
    );
  }
  process.exit(1);
}
console.log(`No import cycle among ${files.length} modules.`);
