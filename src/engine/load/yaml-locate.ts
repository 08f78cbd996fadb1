/** Finds where a path of the parsed data is written in the YAML file. */
import { isAlias, isMap, isScalar, isSeq, type Node, type Pair, type YAMLMap } from 'yaml';
import type { SourcePos } from './pipeline.ts';
import { keyName, positionOf, type YamlSource } from './yaml-document.ts';

/**
 * The position of `path` in the file: of the key that names it (`at: 'key'`; for a list
 * item, the item) or of its value. A path that is not in the file (a missing key, a value
 * only a `--set` created) gets the key of its nearest ancestor that is.
 */
export function locate(yaml: YamlSource, path: readonly string[], at: 'key' | 'value'): SourcePos {
  const { key, node, found } = find(yaml, path);
  // An empty value (`with:`) has no text of its own; its key is the place to show.
  const empty = node === null || (isScalar(node) && node.value === null && !node.source);
  return start(yaml, !found || at === 'key' || empty ? key : (node as Node));
}

/** Whether `path` is written in the file (and not, say, only created by a `--set`). */
export const isInFile = (yaml: YamlSource, path: readonly string[]): boolean => find(yaml, path).found;

/** The node at `path` and the key naming it; when not found, the deepest key on the way. */
function find(yaml: YamlSource, path: readonly string[]): { key: Node | null; node: unknown; found: boolean } {
  let node: unknown = yaml.doc.contents;
  let key: Node | null = yaml.doc.contents;
  for (const segment of path) {
    const parent = deref(yaml, node);
    const next = isMap(parent)
      ? pairsOf(parent).get(segment)
      : isSeq(parent) && /^\d+$/.test(segment)
        ? { key: parent.items[Number(segment)] as Node | undefined, value: parent.items[Number(segment)] }
        : undefined;
    if (!next?.key) return { key, node, found: false };
    key = next.key as Node;
    node = next.value;
  }
  return { key, node, found: true };
}

// A map's pairs by key, built on first use: a file with thousands of problems in one
// map must not cost a scan of the map per problem.
const pairIndexes = new WeakMap<YAMLMap, Map<string, Pair>>();

function pairsOf(map: YAMLMap): Map<string, Pair> {
  let index = pairIndexes.get(map);
  if (!index) {
    index = new Map(map.items.filter((p) => isScalar(p.key)).map((p) => [keyName(p.key as Node), p]));
    pairIndexes.set(map, index);
  }
  return index;
}

/** An alias stands for its anchored node when we look inside it. */
const deref = (yaml: YamlSource, node: unknown): unknown => (isAlias(node) ? yaml.aliasTargets.get(node) : node);

const start = (yaml: YamlSource, node: Node | null | undefined): SourcePos => positionOf(yaml, node?.range?.[0] ?? 0);

/**
 * A hint for the commonest YAML trap, a comma inside an unquoted value of a `{ … }` map:
 * `{ title: Moons, ReLU MLP }` is read as `title: Moons` and a key `ReLU MLP` with no
 * value. For such a key (`path` names it), the quoted value that was meant; undefined otherwise.
 */
export function flowCommaHint(yaml: YamlSource, path: readonly string[]): string | undefined {
  const { node: parent, found } = find(yaml, path.slice(0, -1));
  const map = found ? deref(yaml, parent) : undefined;
  if (!isMap(map) || !map.flow) return undefined;
  const index = map.items.findIndex((p) => isScalar(p.key) && keyName(p.key as Node) === path[path.length - 1]);
  const [before, pair] = [map.items[index - 1], map.items[index]];
  const empty = pair?.value === null || (isScalar(pair?.value) && pair.value.value === null);
  if (!before || !empty || !isScalar(before.value) || before.value.type !== 'PLAIN' || !isScalar(before.key)) return undefined;
  const meant = `${String(before.value.source ?? before.value.value)}, ${String((pair.key as { source?: string }).source ?? path[path.length - 1])}`;
  return `a comma ends an unquoted value in a { … } map: if it is part of ${keyName(before.key as Node)}'s value, quote it: ${keyName(before.key as Node)}: "${meant}"`;
}
