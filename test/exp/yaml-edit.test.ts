/** Writing values into a pipeline file (src/exp/yaml-edit.ts): only the lines an edit touches change. */
import { describe, expect, it } from 'vitest';
import { YamlEditError, editYaml } from '../../src/exp/yaml-edit.ts';

const file = `# yaml-language-server: $schema=../schemas/pipeline.schema.json
name: demo            # the name

stages:
  data:
    uses: blobs
    with: { n_samples: 100, centers: [[-0.5, 0.5], [0.5, -0.5]] }

  train:
    uses: train
    inputs: { dataset: data.dataset }
    with:
      # the optimizer, as in the tutorial
      optimizer: { name: sgd, lr: 0.01 }   # lr from the paper
      epochs: 1000
      title: 'Loss (\${train.optimizer.lr})'
  evaluate:
    uses: evaluate
`;

describe('editYaml', () => {
  it('changes only the lines of the values it sets, keeping comments, their spacing, quoting and the flow style of the line or the file', () => {
    const { text, relaidOut } = editYaml(file, [
      { path: ['stages', 'train', 'with', 'optimizer', 'lr'], value: 0.1 },
      { path: ['stages', 'data', 'with', 'centers'], value: [[-1, 1], [1, -1]] },
      { path: ['stages', 'train', 'with', 'title'], value: 'Loss' },
      { path: ['stages', 'train', 'with', 'batch_size'], value: 10 },
      { path: ['stages', 'evaluate', 'with', 'points'], value: [{ name: 'a', point: [1, 2] }] },
    ]);
    expect(relaidOut).toBe(false);
    expect(text).toBe(
      file
        .replace('{ name: sgd, lr: 0.01 }   # lr', '{ name: sgd, lr: 0.1 }   # lr')
        .replace('centers: [[-0.5, 0.5], [0.5, -0.5]]', 'centers: [[-1, 1], [1, -1]]')
        .replace("title: 'Loss (${train.optimizer.lr})'", "title: 'Loss'\n      batch_size: 10")
        .replace('uses: evaluate\n', 'uses: evaluate\n    with:\n      points: [{ name: a, point: [1, 2] }]\n'),
    );
  });

  it('removes a value, and keeps CRLF line ends and a missing final newline', () => {
    const crlf = 'stages:\r\n  m:\r\n    with:\r\n      a: 1 # one\r\n      b: 2\r\n      c: 3';
    expect(editYaml(crlf, [{ path: ['stages', 'm', 'with', 'b'], remove: true }, { path: ['stages', 'm', 'with', 'a'], value: 5 }])).toEqual({
      text: 'stages:\r\n  m:\r\n    with:\r\n      a: 5 # one\r\n      c: 3',
      relaidOut: false,
    });
  });

  it('lays out anew, comments kept, a file yaml cannot render line for line, and says so', () => {
    const spread = 'stages:\n  m:\n    with: { a: 1,\n            b: 2 }  # spread\n';
    expect(editYaml(spread, [{ path: ['stages', 'm', 'with', 'a'], value: 7 }])).toEqual({ text: 'stages:\n  m:\n    with: { a: 7, b: 2 } # spread\n', relaidOut: true });
  });

  it('refuses to write through an alias, naming the path', () => {
    const aliased = 'defaults: &d { lr: 0.1 }\nstages:\n  train:\n    with: *d\n';
    expect(() => editYaml(aliased, [{ path: ['stages', 'train', 'with', 'lr'], value: 1 }])).toThrow(YamlEditError);
    expect(() => editYaml(aliased, [{ path: ['stages', 'train', 'with', 'lr'], value: 1 }])).toThrow(/^cannot write stages\.train\.with\.lr: Expected YAML collection at with\. Remaining path: lr$/);
  });
});
