import type { Io } from '../io.js';
export async function inspect(_opts: unknown, _io: Io): Promise<void> {
  throw new Error('not implemented yet');
}
