import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { clientCodeSource } from '../../scripts/report-client.ts';

describe('src/report/client-code.ts', () => {
  it('is what scripts/report-client.ts makes of the page code now (run `npm run report-client` after changing it)', async () => {
    const committed = readFileSync(new URL('../../src/report/client-code.ts', import.meta.url), 'utf8');
    expect(committed === (await clientCodeSource())).toBe(true);
  });
});
