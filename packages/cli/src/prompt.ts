/**
 * Asking for a secret on the terminal without echoing it: reads the controlling terminal
 * (/dev/tty, so it works while stdin carries data), writes the question to stderr. Returns null
 * when there is no terminal to ask on; the caller then says how else to give the secret.
 */
import { openSync } from 'node:fs';
import { ReadStream } from 'node:tty';

const CTRL_C = 0x03;
const CTRL_D = 0x04;
const BACKSPACE = [0x08, 0x7f];

export function hiddenPrompt(stderr: NodeJS.WriteStream): ((question: string) => Promise<string>) | undefined {
  if (process.platform === 'win32') return undefined;
  return (question) =>
    new Promise<string>((resolve, reject) => {
      let fd: number;
      try {
        fd = openSync('/dev/tty', 'r');
      } catch {
        reject(Object.assign(new Error('no terminal to ask for the passphrase on'), { code: 'ENOTTY' }));
        return;
      }
      const tty = new ReadStream(fd);
      tty.setRawMode(true);
      stderr.write(question);
      const chars: string[] = [];
      const done = (err?: Error) => {
        tty.setRawMode(false);
        tty.off('data', onData);
        tty.destroy();
        stderr.write('\n');
        if (err) reject(err);
        else resolve(chars.join(''));
      };
      const onData = (buf: Buffer) => {
        for (const ch of buf.toString('utf8')) {
          const c = ch.codePointAt(0)!;
          if (c === CTRL_C) return done(Object.assign(new Error('interrupted'), { code: 'EINTR' }));
          if (c === 0x0d || c === 0x0a || c === CTRL_D) return done();
          if (BACKSPACE.includes(c)) chars.pop();
          else if (c >= 0x20) chars.push(ch);
        }
      };
      tty.on('data', onData);
    });
}
