/**
 * The layers of rxlab (see README "How the code is laid out"): each imports only the ones
 * below it, and nothing imports in a circle. `npm test` runs this check (npm run lint).
 *
 *   bin → cli → queue → sweep → exp → report; all of them → engine → contract ← stages
 *   → ml, numerics, charts → data, util (a sweep is handed its launcher: local workers, or the
 *   queue; it records its trials through exp)
 *
 * and inside the engine, by phase: run-pipeline → run → reuse → record → plan → load → errors.
 */
const above = (...layers) => `^src/(${layers.join('|')})(/|\\.ts$)`;

const layer = (name, from, mayNot) => ({ name, severity: 'error', from: { path: from }, to: { path: mayNot } });

module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', comment: 'an import circle', from: {}, to: { circular: true } },
    layer('util-is-a-leaf', '^src/util/', '^src/(?!util/)'),
    layer('data-is-a-leaf', '^src/data\\.ts$', '^src/(?!util/)'),
    layer('computation-is-below-stages', '^src/(ml|numerics|charts)/', above('contract', 'engine', 'stages', 'cli', 'sweep', 'exp', 'report', 'queue', 'index')),
    layer('contract-is-below-engine-and-stages', '^src/contract/', above('engine', 'stages', 'cli', 'sweep', 'exp', 'report', 'queue', 'ml', 'numerics', 'charts', 'index')),
    layer('stages-never-reach-the-engine', '^src/stages/', above('engine', 'cli', 'sweep', 'exp', 'report', 'queue', 'index')),
    layer('engine-never-names-a-stage-or-the-ml-stack', '^src/engine/', above('stages', 'cli', 'sweep', 'exp', 'report', 'queue', 'ml', 'numerics', 'charts', 'index')),
    layer('report-is-below-exp', '^src/report/', above('cli', 'sweep', 'queue', 'exp', 'index')),
    layer('queue-is-below-the-cli', '^src/queue/', above('cli', 'exp', 'index')),
    layer('sweep-is-handed-its-launcher', '^src/sweep/', above('cli', 'queue', 'index')),
    layer('exp-is-below-the-cli', '^src/exp/', above('cli', 'index')),
    layer('init-is-below-the-cli', '^src/init/', above('cli', 'sweep', 'exp', 'report', 'queue', 'engine', 'index')),
    // A sweep records its trials through exp; exp never starts a sweep, so the two never import in a circle.
    layer('exp-is-below-sweep', '^src/exp/', above('sweep', 'queue')),
    // The record of runs is about pipelines, params and metrics: it never runs a stage or computes one's numbers itself.
    layer('exp-names-no-stage-and-no-numerics', '^src/exp/', above('stages', 'ml', 'numerics', 'charts')),
    layer('the-engine-is-used-through-its-index', '^src/(?!engine/)', '^src/engine/(?!index\\.ts$)'),
    layer('engine-load-is-the-first-phase', '^src/engine/load/', '^src/engine/(plan|record|reuse|run)/|^src/engine/(run-pipeline|index)\\.ts$'),
    layer('engine-plan-comes-after-load', '^src/engine/plan/', '^src/engine/(record|reuse|run)/|^src/engine/(run-pipeline|index)\\.ts$'),
    layer('engine-record-comes-after-plan', '^src/engine/record/', '^src/engine/(reuse|run)/|^src/engine/(run-pipeline|index)\\.ts$'),
    layer('engine-reuse-comes-after-record', '^src/engine/reuse/', '^src/engine/run/|^src/engine/(run-pipeline|index)\\.ts$'),
    layer('engine-run-comes-after-reuse', '^src/engine/run/', '^src/engine/(run-pipeline|index)\\.ts$'),
    layer('engine-errors-are-the-bottom', '^src/engine/errors\\.ts$', '^src/engine/(?!errors\\.ts)'),
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^src/engine/load/precompiled-validators\\.ts$' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.mjs'] },
  },
};
