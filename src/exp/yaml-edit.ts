/**
 * Changing values in a YAML file the way a person would: the lines an edit touches are
 * rewritten, every other line stays byte for byte as it was — comments, blank lines,
 * quoting, `[2, 1]` or `[ 2, 1 ]`. The edit itself is made with yaml's Document API
 * (which keeps comments, anchors and flow or block style); the file is then patched with
 * only the lines where the Document's rendering before and after the edit differ.
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

const render = (doc: Document, padded: boolean): string[] => doc.toString({ lineWidth: 0, flowCollectionPadding: padded }).split('\n');

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
    const before = [render(doc, true), render(doc, false)];
    applyEdit(doc, edit);
    const after = [render(doc, true), render(doc, false)];
    const lines = current.split('\n');
    const patches = [0, 1].flatMap((k) => {
      if (before[k].length !== lines.length) return [];
      const [b, a] = [before[k], after[k]];
      let start = 0;
      while (start < b.length && start < a.length && b[start] === a[start]) start++;
      let end = 0;
      while (end < b.length - start && end < a.length - start && b[b.length - 1 - end] === a[a.length - 1 - end]) end++;
      // How faithfully this rendering reproduces the lines it replaces: the better one sets the style of the new ones.
      const same = b.slice(start, b.length - end).filter((line, i) => line === lines[start + i]).length;
      return [{ same, text: [...lines.slice(0, start), ...a.slice(start, a.length - end), ...lines.slice(lines.length - end)].join('\n') }];
    });
    if (patches.length === 0) {
      current = after[0].join('\n');
      relaidOut = true;
    } else {
      current = patches.reduce((best, p) => (p.same > best.same ? p : best)).text;
    }
  }
  const ended = finalNewline ? current : current.replace(/\n$/, '');
  return { text: crlf ? ended.replace(/\n/g, '\r\n') : ended, relaidOut };
}
