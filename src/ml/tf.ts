/**
 * TensorFlow.js as rxlab uses it: the core ops, the `cpu` backend and the layers API (for
 * the model.json format; it also registers the ops' gradients), imported as parts. The
 * `@tensorflow/tfjs` package would also load the WebGL backend, the graph-model converter
 * and tfjs-data, which Node runs never use: bundled, the parts are less than half the size
 * and load faster.
 */
export * from '@tensorflow/tfjs-core';
export { layers, loadLayersModel, sequential, type Sequential } from '@tensorflow/tfjs-layers';
// Loading tfjs-backend-cpu registers the backend and its kernels. Its package.json marks
// its files free of side effects, so a bare `import '…'` would be dropped by the bundler:
// importing a value keeps it.
export { version_cpu } from '@tensorflow/tfjs-backend-cpu';
