#!/usr/bin/env node
/** Thin shim: run the benchmark command, map failures to exit codes (2 = usage, 1 = error). */
import { isSealvecError } from '@sealvec/core';
import { benchMain, UsageError } from './main.js';

benchMain(process.argv.slice(2)).catch((e: unknown) => {
  if (e instanceof UsageError) {
    process.stderr.write(`sealvec-bench: ${e.message}\n`);
    process.exitCode = 2;
  } else if (isSealvecError(e)) {
    process.stderr.write(`sealvec-bench: ${e.code}: ${e.message}\n`);
    process.exitCode = 1;
  } else {
    process.stderr.write(`sealvec-bench: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 1;
  }
});
