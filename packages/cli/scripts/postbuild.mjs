// Makes the built bin executable (tsc does not keep modes), so `./dist/bin.js` and the
// package's `bin` link run directly. Runs with node so it also works where `chmod` does not exist.
import { chmodSync } from 'node:fs';

chmodSync(new URL('../dist/bin.js', import.meta.url), 0o755);
