import { afterAll, describe, expect, it, vi } from 'vitest';
import { initBackend, tf } from '../../src/ml/backend.ts';

afterAll(async () => {
  await initBackend('cpu');
});

describe('initBackend', () => {
  it('takes tfjs-node where it loads, else falls back to cpu, without the install-tfjs-node banner', async () => {
    const nativeLoads = await import('@tensorflow/tfjs-node' as string).then(
      () => true,
      () => false,
    );
    const warn = vi.spyOn(console, 'warn');
    const name = await initBackend();
    tf.tidy(() => tf.add(tf.scalar(1), tf.scalar(2)).dataSync());
    expect(name).toBe(nativeLoads ? 'tensorflow' : 'cpu');
    expect(tf.getBackend()).toBe(name);
    expect(warn.mock.calls.flat().join('\n')).not.toMatch(/node backend/);
    warn.mockRestore();
  });

  it('keeps other warnings visible', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    await initBackend('cpu');
    console.warn('something real');
    expect(warn).toHaveBeenCalledWith('something real');
    warn.mockRestore();
  });

  it('runs the wasm backend on request', async () => {
    expect(await initBackend('wasm')).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(Array.from(tf.tidy(() => tf.sigmoid(tf.scalar(0))).dataSync())).toEqual([0.5]);
  });
});
