#!/usr/bin/env node
// Entry point: registers tsx so the TypeScript sources (and users' `.ts` stages) load without a build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli.ts');
// tfjs may keep handles open; the exit code is decided, so leave now.
process.exit(await main(process.argv.slice(2)));
