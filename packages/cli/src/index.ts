/** Programmatic entry points of the CLI (the `sealvec` binary is ./bin.ts). */
export { run } from './main.js';
export { buildProgram, VERSION } from './program.js';
export { EXIT, exitCodeOf } from './errors.js';
export type { Io } from './io.js';
