/**
 * `uses: checkpoint` — writes each checkpoint train emits as `epoch-<n>.json` (PyTorch
 * layout, as `params.json`) while training runs. How often is train's `checkpoint_every`:
 * train reads parameters back only at those epochs, so the per-epoch loop stays free of
 * that device sync.
 */
import { concat, defer } from 'rxjs';
import { map } from 'rxjs/operators';
import { defineStage, jsonArtifact, message } from '../contract/stage.ts';

export const checkpointStage = defineStage({
  name: 'checkpoint',
  description: "Writes the parameters of each of train's checkpoints (set train's checkpoint_every) as `epoch-<n>.json`.",
  params: { type: 'object', properties: {}, additionalProperties: false },
  inputs: { checkpoints: { kind: 'checkpoint', stream: true, description: "train's live checkpoints (train.checkpoints)" } },
  preflight: (_params, { checkpoints }) =>
    checkpoints?.emits === false
      ? { problems: [{ path: ['inputs', 'checkpoints'], message: `${checkpoints.from} emits no checkpoint: set checkpoint_every on the stage ${checkpoints.from.split('.')[0]}` }] }
      : {},
  run: (_ctx, { checkpoints }) => {
    const epochs: number[] = [];
    return concat(
      checkpoints.values.pipe(
        map(({ epoch, params }) => {
          epochs.push(epoch);
          return jsonArtifact(`epoch-${epoch}.json`, params);
        }),
      ),
      defer(() => {
        // Train always checkpoints its last epoch when checkpointing is on: none means it is off.
        if (epochs.length === 0) throw new Error('no checkpoint arrived; set checkpoint_every on the train stage that feeds it');
        return [message(`${epochs.length} checkpoint(s), epochs ${epochs.join(', ')}`)];
      }),
    );
  },
});
