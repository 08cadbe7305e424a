// parse.ts: reads a scenario file: YAML → schema-checked Scenario. Every problem is reported as
// `file:line:col: path: message` (esbuild-style diagnostics, one printer), all at once.
import { readFileSync } from 'node:fs';
import { LineCounter, isMap, isPair, isScalar, parseDocument, type Node as YamlNode } from 'yaml';
import type { z } from 'zod';
import { SimError } from '../errors.js';
import { type Scenario, scenarioSchema } from './schema.js';

export interface Diagnostic {
  file: string;
  line: number;
  column: number;
  path: string;
  message: string;
}

export function formatDiagnostic(d: Diagnostic): string {
  return `${d.file}:${d.line}:${d.column}: ${d.path ? `${d.path}: ` : ''}${d.message}`;
}

/** A parsed scenario and where each of its parts is in the file (for run-time messages). */
export interface ScenarioSource {
  readonly scenario: Scenario;
  readonly file: string;
  /** `file:line:col` of the node at `path` (the deepest part of it that exists). */
  where(path: readonly (string | number)[]): string;
}

export function parseScenarioText(text: string, file: string): Scenario {
  return parseScenarioSource(text, file).scenario;
}

export function parseScenarioSource(text: string, file: string): ScenarioSource {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  const diags: Diagnostic[] = [];
  for (const e of doc.errors) {
    const pos = lc.linePos(e.pos[0]);
    diags.push({ file, line: pos.line, column: pos.col, path: '', message: e.message.split('\n')[0] });
  }
  if (diags.length === 0) {
    const result = scenarioSchema.safeParse(doc.toJS() ?? {});
    if (!result.success) {
      for (const issue of result.error.issues) diags.push(locate(issue, doc.contents, lc, file));
    } else {
      const contents = doc.contents;
      return {
        scenario: result.data,
        file,
        where: (path) => {
          const d = locate({ code: 'custom', path: [...path], message: '', input: undefined } as z.core.$ZodIssue, contents, lc, file);
          return `${file}:${d.line}:${d.column}`;
        },
      };
    }
  }
  throw new SimError('EFORMAT', diags.map(formatDiagnostic).join('\n'));
}

export function readScenarioFile(path: string): ScenarioSource {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new SimError('ENOENT', `${path}: cannot read scenario file (${(e as Error).message})`);
  }
  return parseScenarioSource(text, path);
}

function locate(issue: z.core.$ZodIssue, root: unknown, lc: LineCounter, file: string): Diagnostic {
  // Walk down the YAML tree as far as the issue's path exists; point at the deepest node found
  // (for an unknown key, at the key itself).
  const keys = issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0]] : issue.path;
  let node: unknown = root;
  let at = root as YamlNode | undefined;
  for (let i = 0; i < keys.length; i++) {
    const c = child(node, keys[i]);
    if (!c) break;
    const unknownKey = i === keys.length - 1 && issue.code === 'unrecognized_keys';
    at = unknownKey ? c.keyNode : (c.value ?? c.keyNode ?? at);
    node = c.value;
    if (!node) break;
  }
  const offset = at?.range?.[0] ?? 0;
  const pos = lc.linePos(offset);
  const path = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '');
  return { file, line: pos.line, column: pos.col, path, message: describe(issue) };
}

function child(node: unknown, key: PropertyKey): { keyNode?: YamlNode; value?: YamlNode } | undefined {
  if (isMap(node)) {
    for (const pair of node.items) {
      if (isPair(pair) && isScalar(pair.key) && String(pair.key.value) === String(key)) {
        return { keyNode: pair.key as YamlNode, value: (pair.value ?? undefined) as YamlNode | undefined };
      }
    }
    return undefined;
  }
  const items = (node as { items?: unknown[] } | undefined)?.items;
  if (Array.isArray(items) && typeof key === 'number') return { value: items[key] as YamlNode };
  return undefined;
}

function describe(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'unrecognized_keys':
      return `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
    case 'invalid_union':
      return 'does not match any of the allowed forms (see the README, "Scenario files")';
    default:
      return issue.message;
  }
}
