import { AccessDenied, BackendError, Conflict, DecryptionFailed, DimensionMismatch, InvalidKey, Malformed, NotFound } from '@sealvec/core';
import { describe, expect, it } from 'vitest';
import { EXIT, exitCodeOf, InputFileError, KeyFileError, OutputError, UsageError } from './errors.js';

describe('exit codes', () => {
  it('maps every kind of failure to its documented code', () => {
    expect(exitCodeOf(new DecryptionFailed())).toBe(EXIT.CRYPTO);
    expect(exitCodeOf(new AccessDenied('no'))).toBe(EXIT.CRYPTO);
    expect(exitCodeOf(new InvalidKey('bad'))).toBe(EXIT.CRYPTO);
    expect(exitCodeOf(new KeyFileError('missing'))).toBe(EXIT.CRYPTO);
    expect(exitCodeOf(new BackendError('down'))).toBe(EXIT.BACKEND);
    expect(exitCodeOf(new Conflict('locked'))).toBe(EXIT.BACKEND);
    expect(exitCodeOf(new NotFound('no collection'))).toBe(EXIT.BACKEND);
    expect(exitCodeOf(new Malformed('x'))).toBe(EXIT.INPUT);
    expect(exitCodeOf(new DimensionMismatch('x'))).toBe(EXIT.INPUT);
    expect(exitCodeOf(new InputFileError('x'))).toBe(EXIT.INPUT);
    expect(exitCodeOf(new UsageError('x'))).toBe(EXIT.USAGE);
    expect(exitCodeOf(Object.assign(new Error('x'), { code: 'commander.unknownOption', exitCode: 1 }))).toBe(EXIT.USAGE);
    expect(exitCodeOf(Object.assign(new Error('(outputHelp)'), { code: 'commander.helpDisplayed', exitCode: 0 }))).toBe(EXIT.OK);
    expect(exitCodeOf(new OutputError('x'))).toBe(EXIT.UNEXPECTED);
    expect(exitCodeOf(new TypeError('bug'))).toBe(EXIT.UNEXPECTED);
  });
});
