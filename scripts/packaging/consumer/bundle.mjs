// esbuild bundles for browsers and edge runtimes, built from the installed tarballs:
// - @sealvec/core for the browser, then run in a bare V8 context holding only the Web APIs it
//   needs (crypto, TextEncoder, TextDecoder; no Buffer, process or require), sealing and opening
//   a record;
// - @sealvec/qdrant/web, and plain @sealvec/qdrant under the browser condition (which must pick
//   the web entry), for the browser; and for edge runtimes (workerd/worker conditions).
// A Node built-in anywhere in these graphs fails the build (esbuild cannot resolve it there).
import assert from 'node:assert/strict';
import { createContext, runInContext } from 'node:vm';
import * as esbuild from 'esbuild-wasm';

const bundle = async (contents, options) => {
  const result = await esbuild.build({
    stdin: { contents, resolveDir: process.cwd(), sourcefile: 'entry.js' },
    bundle: true,
    write: false,
    metafile: true,
    logLevel: 'silent',
    ...options,
  });
  const inputs = Object.keys(result.metafile.inputs);
  assert.ok(!inputs.some((i) => i.startsWith('node:') || /(^|\/)(undici|better-sqlite3)\//.test(i)), `Node-only input in the bundle: ${inputs.filter((i) => i.startsWith('node:'))}`);
  return { code: result.outputFiles[0].text, inputs };
};

// Core, for the browser, run without Node.
const core = await bundle(
  `import { createWriterKey, generateAuthority, issueUserKey, VectorKeyset, createVectorCipher, createSealer, createOpener } from '@sealvec/core';
   const authority = generateAuthority();
   const writer = createWriterKey(authority);
   const alice = issueUserKey(authority, { department: ['research'] });
   const cipher = createVectorCipher(VectorKeyset.create().primary, { dimension: 4, metric: 'cosine', beta: 0.5, collection: 'c' });
   const sealed = createSealer({ writer, cipher, collection: 'c' }).seal({ id: 'r1', vector: [0.9, 0.1, 0, 0.2], payload: { title: 'hi' }, policy: 'department=research' });
   const opened = createOpener({ cipher, collection: 'c' }).tryOpen(sealed, alice);
   globalThis.result = opened && opened.payload.title;`,
  { platform: 'browser', format: 'iife' },
);
// The bundle must have taken the portable primitives (@noble), never the node:crypto ones.
assert.ok(core.inputs.some((i) => i.endsWith('primitives/portable.js')), 'the browser bundle must use the portable primitives');
assert.ok(!core.inputs.some((i) => i.endsWith('primitives/node.js')), 'the browser bundle must not contain the node:crypto primitives');
// The context's own TextEncoder/TextDecoder (a browser's return same-realm Uint8Arrays; Node's
// would not), and Web Crypto's getRandomValues.
const sandbox = createContext({ crypto: { getRandomValues: (a) => globalThis.crypto.getRandomValues(a) } });
runInContext(
  `globalThis.TextEncoder = class { encode(s) { return Uint8Array.from(unescape(encodeURIComponent(s)), (c) => c.charCodeAt(0)); } };
   globalThis.TextDecoder = class { decode(b) { return decodeURIComponent(escape(String.fromCharCode(...b))); } };`,
  sandbox,
);
runInContext(core.code, sandbox);
assert.equal(sandbox.result, 'hi', 'the browser bundle of @sealvec/core must seal and open a record without Node');

// The Qdrant web entry, explicitly and through the browser condition.
const use = `export { SealedCollection, QdrantBackend } from`;
const web = await bundle(`${use} '@sealvec/qdrant/web';`, { platform: 'browser', format: 'esm' });
const viaCondition = await bundle(`${use} '@sealvec/qdrant';`, { platform: 'browser', format: 'esm' });
assert.ok(viaCondition.inputs.some((i) => i.endsWith('@sealvec/qdrant/dist/web.js')), 'the browser condition must resolve @sealvec/qdrant to its web entry');
const edge = await bundle(`${use} '@sealvec/qdrant';`, { platform: 'neutral', format: 'esm', conditions: ['workerd', 'worker', 'browser'], mainFields: ['browser', 'module', 'main'] });
// LocalBackend is Node-only: asking for it from the web entry must fail at build time, not at run time.
await assert.rejects(bundle(`export { LocalBackend } from '@sealvec/qdrant/web';`, { platform: 'browser', format: 'esm' }));

await esbuild.stop?.();
console.log(`bundles ok: core ${core.code.length} B (ran without Node), qdrant web ${web.code.length} B, via browser condition ${viaCondition.code.length} B, edge ${edge.code.length} B`);
