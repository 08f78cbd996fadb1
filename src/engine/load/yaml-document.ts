/**
 * Parses a pipeline file's text into a YAML document that keeps positions, and into
 * plain data.
 *
 * The `yaml` package parses; the checks it would do in quadratic time (its `uniqueKeys`
 * compares every key with every other; its alias resolution rescans the document for
 * each alias) or not at all (how far aliases expand) are done here, in one walk in
 * document order that also resolves each alias once.
 */
import { LineCounter, isAlias, isMap, isScalar, isSeq, parseDocument, type Alias, type Document, type Node } from 'yaml';
import type { Diagnostic } from '../errors.ts';
import type { SourcePos } from './pipeline.ts';

/** A parsed document and what is needed to point into it. */
export interface YamlSource {
  doc: Document.Parsed;
  lineCounter: LineCounter;
  /** Each alias's anchored node. */
  aliasTargets: Map<Alias, Node>;
}

export type ParsedYaml = { ok: true; yaml: YamlSource; data: unknown } | { ok: false; diagnostics: Diagnostic[] };

/**
 * How many values aliases may add to the document once expanded. Sharing a few param
 * maps stays far below it; a "billion laughs" document (aliases of aliases, each level
 * ten times the last) is refused before anything is expanded.
 */
export const MAX_ALIAS_EXPANSION = 100_000;

/** 1-based line and column of an offset in the text. */
export const positionOf = (yaml: YamlSource, offset: number): SourcePos => yaml.lineCounter.linePos(offset);

/** A map key as a string: the name it gets in the parsed data. */
export const keyName = (key: Node): string => String(isScalar(key) ? key.value : key);

/** Parses `text`; every problem found comes back as a diagnostic in `file`. */
export function parseYaml(text: string, file: string): ParsedYaml {
  const fail = (message: string): ParsedYaml => ({ ok: false, diagnostics: [{ file, line: 0, col: 0, path: '', message }] });
  if (text.trim() === '') return fail('file is empty; a pipeline needs at least a stages: map');

  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: false, merge: false, prettyErrors: false });
  const at = (offset: number): Pick<Diagnostic, 'line' | 'col'> => lineCounter.linePos(offset);
  // Warnings too: an unknown tag (`!foo`) would otherwise silently become a string.
  // Nesting too deep fails once per level on the way back up; once is enough.
  const problems = [...doc.errors, ...doc.warnings].filter((e, i, all) => e.code !== 'RESOURCE_EXHAUSTION' || all.findIndex((f) => f.code === e.code) === i);
  const syntax = problems.map(
    (e): Diagnostic => ({ file, ...at(e.pos[0]), path: '', message: syntaxMessage(e.code, e.message) }),
  );
  if (syntax.length > 0) return { ok: false, diagnostics: syntax };
  if (doc.contents === null) return fail('file has only comments; a pipeline needs at least a stages: map');

  const yaml: YamlSource = { doc, lineCounter, aliasTargets: new Map() };
  const walk = new Walk(yaml, file);
  const expanded = walk.visit(doc.contents);
  if (walk.diagnostics.length > 0) return { ok: false, diagnostics: walk.diagnostics };
  const extra = expanded - walk.literal;
  if (extra > MAX_ALIAS_EXPANSION && walk.biggest) {
    const { alias, path } = walk.biggest;
    const message = `YAML aliases expand this document by ${extra} values, more than the ${MAX_ALIAS_EXPANSION} allowed; refusing to expand it (a "billion laughs" document?)`;
    return { ok: false, diagnostics: [{ file, ...at(alias.range?.[0] ?? 0), path: path.join('.'), message }] };
  }
  return { ok: true, yaml, data: toData(doc.contents, yaml.aliasTargets) };
}

function syntaxMessage(code: string, message: string): string {
  if (code === 'MULTIPLE_DOCS') return 'a pipeline file holds one YAML document; remove the --- and what follows it, or merge the two';
  if (code === 'RESOURCE_EXHAUSTION') return `the document nests too deeply to be read (${message})`;
  return `invalid YAML: ${message.charAt(0).toLowerCase()}${message.slice(1)}`;
}

/**
 * One pass over the document in order: anchors are recorded as they are met (an alias
 * names the last anchor before it), keys are checked, and each node's expanded size
 * (aliases counted as what they stand for) is computed bottom-up.
 */
class Walk {
  readonly diagnostics: Diagnostic[] = [];
  /** Nodes written in the file, an alias counting as one. */
  literal = 0;
  /** The alias that stands for the most values. */
  biggest?: { alias: Alias; path: string[]; size: number };
  private readonly anchors = new Map<string, Node>();
  /** Expanded sizes of collections (a scalar is 1). */
  private readonly sizes = new Map<Node, number>();
  /** Collections being visited: an alias to one of them would contain itself. */
  private readonly open = new Set<Node>();
  /** Keys from the root to the node being visited (copied only when reported). */
  private readonly path: string[] = [];

  constructor(
    private readonly yaml: YamlSource,
    private readonly file: string,
  ) {}

  /** The expanded size of `node`. */
  visit(node: unknown): number {
    this.literal += 1;
    if (isAlias(node)) return this.alias(node);
    if (!isMap(node) && !isSeq(node)) {
      if (isScalar(node) && node.anchor) this.anchors.set(node.anchor, node);
      if (isScalar(node) && !isPlainValue(node.value)) {
        // YAML's own tags that make other things than text, numbers, booleans and null.
        const tag = node.tag?.replace('tag:yaml.org,2002:', '!!') ?? 'its tag';
        const made = node.value instanceof Date ? 'a date' : node.value instanceof Uint8Array ? 'binary data' : `a ${typeof node.value}`;
        this.report(node, `a pipeline file holds text, numbers, booleans, lists and maps; ${tag} makes ${made}: remove the tag`);
      }
      return 1;
    }
    if (node.anchor) this.anchors.set(node.anchor, node);
    this.open.add(node);
    let size = 1;
    if (isSeq(node)) {
      node.items.forEach((item, i) => (size += this.visitAt(String(i), item)));
    } else {
      const seen = new Map<string, Node>();
      for (const pair of node.items) {
        const key = pair.key as Node;
        if (this.checkKey(key, seen)) size += this.visitAt(keyName(key), pair.value);
      }
    }
    this.open.delete(node);
    this.sizes.set(node, size);
    return size;
  }

  private visitAt(segment: string, node: unknown): number {
    this.path.push(segment);
    const size = this.visit(node);
    this.path.pop();
    return size;
  }

  private alias(alias: Alias): number {
    const target = this.anchors.get(alias.source);
    if (!target) {
      this.report(alias, `alias *${alias.source} refers to no anchor; define &${alias.source} before using it`);
      return 1;
    }
    if (this.open.has(target)) {
      this.report(alias, `alias *${alias.source} is inside the node it refers to, so it would never end`);
      return 1;
    }
    this.yaml.aliasTargets.set(alias, target);
    const size = this.sizes.get(target) ?? 1;
    if (!this.biggest || size > this.biggest.size) this.biggest = { alias, path: [...this.path], size };
    return size;
  }

  /** Whether the key is usable: a plain scalar, not yet in this map, not a merge key. */
  private checkKey(key: Node, seen: Map<string, Node>): boolean {
    if (!isScalar(key)) {
      const kind = isAlias(key) ? 'an alias' : isSeq(key) ? 'a list' : 'a map';
      this.report(key, `keys must be plain text, found ${kind}`);
      return false;
    }
    const name = keyName(key);
    if (name === '<<') {
      this.report(key, 'merge keys (<<) are not supported; write the keys out, or alias the whole map', name);
      return false;
    }
    const first = seen.get(name);
    if (first) {
      const line = positionOf(this.yaml, first.range?.[0] ?? 0).line;
      const what = this.path.length === 1 && this.path[0] === 'stages' ? 'stage id' : 'key';
      this.report(key, `duplicate ${what} "${name}" (first defined at line ${line})`, name);
      return false;
    }
    seen.set(name, key);
    return true;
  }

  /** A problem at `node`, under the current path (and `key`, for a problem with a key). */
  private report(node: Node, message: string, key?: string): void {
    const { line, col } = positionOf(this.yaml, node.range?.[0] ?? 0);
    const path = key === undefined ? this.path : [...this.path, key];
    this.diagnostics.push({ file: this.file, line, col, path: path.join('.'), message });
  }
}

const isPlainValue = (value: unknown): boolean => value === null || ['string', 'number', 'boolean'].includes(typeof value);

/**
 * The document as plain data. Each alias becomes its own copy of what it refers to, so
 * filling one stage's defaults or applying a `--set` never changes another stage's
 * values; the expansion check above bounds the copying.
 */
function toData(node: unknown, aliasTargets: Map<Alias, Node>): unknown {
  if (isAlias(node)) return toData(aliasTargets.get(node), aliasTargets);
  if (isScalar(node)) return node.value;
  if (isSeq(node)) return node.items.map((item) => toData(item, aliasTargets));
  // fromEntries defines own properties, so a key named __proto__ stays a plain key.
  if (isMap(node)) return Object.fromEntries(node.items.map((p) => [keyName(p.key as Node), toData(p.value, aliasTargets)]));
  return null;
}
