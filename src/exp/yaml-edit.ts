/**
 * Changing values in a YAML file the way a person would: the lines an edit touches are
 * rewritten, every other line stays byte for byte as it was — comments, blank lines,
 * quoting, `[2, 1]` or `[ 2, 1 ]`. The edit itself is made with yaml's Document API
 * (which keeps comments, anchors and flow or block style); the file is then patched with
 * only the lines where the Document's rendering before and after the edit differ, written
 * in the file's own style: its spacing before a comment, `[1, 2]` or `[ 1, 2 ]`.
 *
 * That needs the Document to render the file with as many lines as it has, which it does
 * unless the file is laid out in a way YAML allows and yaml re-flows (a flow collection
 * spread over several lines, say). Then the whole file is the Document's rendering, comments
 * still kept, and `relaidOut` says so.
 */
import { Scalar, isCollection, isScalar, parseDocument, type Document, type Node } from 'yaml';

/** Set the value at `path` (creating maps on the way), or remove it. */
export type YamlEdit = { path: readonly string[]; value: unknown } | { path: readonly string[]; remove: true };

/** A value at `path` cannot be written (the file reaches it through an alias, or a value on the way is not a map). */
export class YamlEditError extends Error {
  override name = 'YamlEditError';
}

const render = (doc: Document): string[] => doc.toString({ lineWidth: 0 }).split('\n');

/** A new node for `value` in the place of `old`, keeping its comments, spacing and style (flow, quoting). */
function nodeFor(doc: Document, old: unknown, value: unknown): unknown {
  const scalarValue = value === null || typeof value !== 'object';
  let node: Node;
  if (scalarValue) {
    node = new Scalar(value);
    if (isScalar(old) && typeof old.value === 'string' && typeof value === 'string') (node as Scalar).type = old.type;
  } else {
    node = doc.createNode(value, { flow: isCollection(old) ? Boolean(old.flow) : true });
  }
  if (isScalar(old) || isCollection(old)) Object.assign(node, { comment: old.comment, commentBefore: old.commentBefore, spaceBefore: old.spaceBefore });
  return node;
}

function applyEdit(doc: Document, edit: YamlEdit): void {
  try {
    if ('remove' in edit) {
      if (doc.hasIn(edit.path)) doc.deleteIn(edit.path);
    } else {
      doc.setIn(edit.path, nodeFor(doc, doc.getIn(edit.path, true), edit.value));
    }
  } catch (err) {
    throw new YamlEditError(`cannot write ${edit.path.join('.')}: ${(err as Error).message}`);
  }
}

/**
 * `line` as yaml rendered it, with the spaces before its comment as in `old` when both end in
 * the same comment (yaml writes one space; a file often aligns its comments).
 */
function keepCommentSpacing(line: string, old: string | undefined): string {
  const comment = / #.*$/.exec(line)?.[0].slice(1);
  if (comment === undefined || old === undefined || !old.endsWith(comment)) return line;
  const spaces = /[ \t]*$/.exec(old.slice(0, old.length - comment.length))![0];
  return spaces.length > 0 ? `${line.slice(0, line.length - comment.length - 1)}${spaces}${comment}` : line;
}

/** Whether flow lists and maps in `text` are written with spaces inside their brackets (`[ 1, 2 ]`), when it has any. */
function flowPadding(text: string): { seq?: boolean; map?: boolean } {
  const count = (re: RegExp): number => text.match(re)?.length ?? 0;
  const style = (padded: number, tight: number): boolean | undefined => (padded + tight === 0 ? undefined : padded > tight);
  return { seq: style(count(/\[ [^\]]/g), count(/\[[^\s\]]/g)), map: style(count(/\{ [^}]/g), count(/\{[^\s}]/g)) };
}

/** A line yaml rendered with padded flow collections, in the padding of `old` (the line it replaces), else of the file. */
function restyle(line: string, old: string | undefined, file: { seq?: boolean; map?: boolean }): string {
  if (/['"]/.test(line)) return line; // brackets inside quotes are text; leave the line as yaml wrote it
  const own = old === undefined ? {} : flowPadding(old);
  let out = line;
  if ((own.seq ?? file.seq) === false) out = out.replace(/\[ /g, '[').replace(/ \]/g, ']');
  if ((own.map ?? file.map) === false) out = out.replace(/\{ /g, '{').replace(/ \}/g, '}');
  return out;
}

/** `text` with `edits` made in order; `relaidOut` when the whole file had to be rendered anew (see above). */
export function editYaml(text: string, edits: readonly YamlEdit[]): { text: string; relaidOut: boolean } {
  // Worked on as LF lines ending in a newline, as yaml renders them; given back as they came.
  const crlf = text.includes('\r\n');
  const finalNewline = text.endsWith('\n');
  let current = `${crlf ? text.replace(/\r\n/g, '\n') : text}${finalNewline ? '' : '\n'}`;
  let relaidOut = false;
  for (const edit of edits) {
    const doc = parseDocument(current, { keepSourceTokens: false });
    if (doc.errors.length > 0) throw new YamlEditError(`the file is not valid YAML: ${doc.errors[0].message}`);
    const before = render(doc);
    applyEdit(doc, edit);
    const after = render(doc);
    const lines = current.split('\n');
    if (before.length !== lines.length) {
      current = after.join('\n');
      relaidOut = true;
      continue;
    }
    // The lines where the renderings differ are the edit's; the file's own lines stand for the rest.
    let start = 0;
    while (start < before.length && start < after.length && before[start] === after[start]) start++;
    let end = 0;
    while (end < before.length - start && end < after.length - start && before[before.length - 1 - end] === after[after.length - 1 - end]) end++;
    const style = flowPadding(current);
    const replaced = before.length - end - start;
    const rewritten = after.slice(start, after.length - end).map((line, i) => {
      const old = i < replaced ? lines[start + i] : undefined;
      return keepCommentSpacing(restyle(line, old, style), old);
    });
    current = [...lines.slice(0, start), ...rewritten, ...lines.slice(lines.length - end)].join('\n');
  }
  const ended = finalNewline ? current : current.replace(/\n$/, '');
  return { text: crlf ? ended.replace(/\n/g, '\r\n') : ended, relaidOut };
}
