#!/usr/bin/env node
/**
 * CLI encryption benchmark: throughput and peak RSS of `sealvec encrypt` (the built binary) with
 * --threads 1 and 2, against the library's single-thread sealing rate measured in the same run.
 *
 *   pnpm -F @sealvec/cli build && node packages/cli/scripts/bench-cli.mjs [options]
 *
 * Options:
 *   --rows N         rows of the generated 1536-d input (default 100000; it is ~615 MB, in /tmp)
 *   --glove FILE     the GloVe-100 base (default ../shared/datasets/glove100-wink/base.fvecs)
 *   --threads LIST   thread counts to run (default 1,2)
 *   --out DIR        where cli.md and cli.json go (default benchmarks/results)
 *   --quick          10,000 rows of each input (a smoke run; results are not written)
 *   --only glove|1536  run one input and merge it into the existing cli.json (re-measuring one
 *                    part when the shared machine was busy during the full run)
 *   --render         only rewrite cli.md from cli.json
 *
 * What is measured:
 *   library   createSealer().seal() per record, one thread, same scheme and policy as the CLI
 *             (and seal + the sealed-JSONL line encoding, which the CLI also does)
 *   cli       the records/s the CLI reports (--json; excludes the ~0.3 s Node start-up), and the
 *             wall time and peak RSS from /usr/bin/time (RSS also sampled from /proc over the run)
 * The sealed output goes to stdout, redirected to /dev/null, so disk speed does not enter.
 * Generated inputs are deleted at the end. The machine may be shared: the load average is
 * recorded before and after each run.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const BIN = join(REPO, 'packages/cli/dist/bin.js');
const core = await import(join(REPO, 'packages/core/dist/index.js'));
const { encodeRecordLine } = await import(join(REPO, 'packages/cli/dist/sealed-file.js'));

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const quick = args.includes('--quick');
const rows1536 = quick ? 10_000 : Number(opt('rows', '100000'));
const glovePath = resolve(opt('glove', join(REPO, '../shared/datasets/glove100-wink/base.fvecs')));
const threadList = opt('threads', '1,2').split(',').map(Number);
const outDir = resolve(opt('out', join(REPO, 'benchmarks/results')));
const POLICY = 'role=analyst';
const only = opt('only', undefined);

if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run "pnpm -F @sealvec/cli build" first`);
const work = mkdtempSync(join(tmpdir(), 'sealvec-bench-cli-'));
const keys = join(work, 'keys');
const log = (s) => process.stderr.write(`${s}\n`);

function run(cmd, argv, { stdout = 'pipe' } = {}) {
  return new Promise((res, rej) => {
    const out = stdout === 'null' ? openSync('/dev/null', 'w') : 'pipe';
    const child = spawn(cmd, argv, { stdio: ['ignore', out, 'pipe'] });
    let so = '';
    let se = '';
    child.stdout?.on('data', (d) => (so += d));
    child.stderr.on('data', (d) => (se += d));
    child.on('error', rej);
    child.on('close', (code) => {
      if (typeof out === 'number') closeSync(out);
      res({ code, stdout: so, stderr: se, pid: child.pid });
    });
    res.child = child;
    run.last = child;
  });
}

/** Reads the first `n` rows of an .fvecs file (for the library measurement). */
function readRows(path, n) {
  const fd = openSync(path, 'r');
  const head = Buffer.alloc(4);
  const { readSync } = awaitFs;
  readSync(fd, head, 0, 4, 0);
  const d = head.readInt32LE(0);
  const rowBytes = 4 + 4 * d;
  const buf = Buffer.alloc(rowBytes * n);
  const got = readSync(fd, buf, 0, buf.length, 0);
  closeSync(fd);
  const out = [];
  for (let i = 0; i < Math.floor(got / rowBytes); i++) {
    const v = new Float32Array(d);
    new Uint8Array(v.buffer).set(buf.subarray(i * rowBytes + 4, (i + 1) * rowBytes));
    out.push(v);
  }
  return { d, rows: out };
}
const awaitFs = await import('node:fs');

/** Writes `n` deterministic pseudo-Gaussian rows of dimension d (streamed, never all in memory). */
function generateFvecs(path, n, d) {
  let s = 0x9e3779b9;
  const u = () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return (s + 0.5) / 0x1_0000_0000;
  };
  const fd = openSync(path, 'w');
  const per = 1000;
  const rowBytes = 4 + 4 * d;
  const buf = Buffer.alloc(per * rowBytes);
  for (let done = 0; done < n; ) {
    const k = Math.min(per, n - done);
    for (let r = 0; r < k; r++) {
      buf.writeInt32LE(d, r * rowBytes);
      for (let j = 0; j < d; j += 2) {
        const a = Math.sqrt(-2 * Math.log(u()));
        const t = 2 * Math.PI * u();
        buf.writeFloatLE(a * Math.cos(t), r * rowBytes + 4 + 4 * j);
        if (j + 1 < d) buf.writeFloatLE(a * Math.sin(t), r * rowBytes + 4 + 4 * (j + 1));
      }
    }
    writeSync(fd, buf, 0, k * rowBytes);
    done += k;
  }
  closeSync(fd);
}

/** Library single-thread rates on `rows`: seal only, and seal + sealed-JSONL encoding. */
function libraryRate(rows, d) {
  const authority = core.generateAuthority();
  const writer = core.createWriterKey(authority);
  const keyset = core.VectorKeyset.create();
  const cipher = core.createVectorCipher(keyset.primary, { dimension: d, metric: 'cosine', beta: core.betaForPreset('balanced', 'cosine') });
  const sealer = core.createSealer({ writer, cipher, collection: 'default' });
  let cpuRate = 0;
  const sealPass = () => {
    const t = performance.now();
    const c = process.cpuUsage();
    for (let i = 0; i < rows.length; i++) sealer.seal({ id: String(i), vector: rows[i], policy: POLICY });
    const cu = process.cpuUsage(c);
    cpuRate = Math.max(cpuRate, rows.length / ((cu.user + cu.system) / 1e6));
    return rows.length / ((performance.now() - t) / 1000);
  };
  let bytes = 0;
  const encodePass = () => {
    const t = performance.now();
    bytes = 0;
    for (let i = 0; i < rows.length; i++) bytes += encodeRecordLine(sealer.seal({ id: String(i), vector: rows[i], policy: POLICY })).length;
    return rows.length / ((performance.now() - t) / 1000);
  };
  // Warm the JIT on both paths, then take the better of two passes of each: the library rate the
  // CLI is compared with is the library at its best, which makes the comparison conservative.
  const warm = rows.slice(0, Math.min(500, rows.length));
  for (let i = 0; i < warm.length; i++) encodeRecordLine(sealer.seal({ id: String(i), vector: warm[i], policy: POLICY }));
  const sealOnly = Math.max(sealPass(), sealPass());
  const sealEncode = Math.max(encodePass(), encodePass());
  return { sealOnly, sealEncode, sealOnlyPerCpuSecond: cpuRate, bytesPerRecord: bytes / rows.length };
}

function rssKb(pid) {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** One CLI run: records/s (from --json), wall time and peak RSS (/usr/bin/time), RSS samples. */
async function cliRun(input, threads, rowLimitNote) {
  const timeFile = join(work, 'time.txt');
  const haveTime = existsSync('/usr/bin/time');
  // No progress lines: the result is the one JSON object on stderr (stdout carries the data).
  const argv = [BIN, 'encrypt', '-i', input, '-o', '-', '--policy', POLICY, '--threads', String(threads), '--keys', keys, '--json', '--progress', 'none'];
  const load0 = loadavg()[0];
  const p = haveTime ? run('/usr/bin/time', ['-f', '%M %e %U %S', '-o', timeFile, process.execPath, ...argv], { stdout: 'null' }) : run(process.execPath, argv, { stdout: 'null' });
  const child = run.last;
  const samples = [];
  const t0 = performance.now();
  const timer = setInterval(() => {
    let pid = child.pid;
    if (haveTime) {
      try {
        pid = Number(readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim().split(/\s+/)[0]);
      } catch {
        return;
      }
    }
    const kb = rssKb(pid);
    if (kb !== undefined) samples.push({ t: (performance.now() - t0) / 1000, rssMB: kb / 1024 });
  }, 250);
  const r = await p;
  clearInterval(timer);
  if (r.code !== 0) throw new Error(`sealvec encrypt failed (${r.code}): ${r.stderr}`);
  const res = JSON.parse(r.stderr.trim().split('\n').at(-1));
  let peakMB;
  let wall;
  let cpu = null;
  if (haveTime) {
    const [kb, secs, user, sys] = readFileSync(timeFile, 'utf8').trim().split('\n').pop().split(' ').map(Number);
    peakMB = kb / 1024;
    wall = secs;
    cpu = user + sys;
  } else {
    peakMB = Math.max(...samples.map((s) => s.rssMB));
    wall = (performance.now() - t0) / 1000;
  }
  const quart = [0.25, 0.5, 0.75, 1].map((f) => {
    const s = samples.filter((x) => x.t <= f * wall);
    return s.length ? Number(s[s.length - 1].rssMB.toFixed(0)) : null;
  });
  return {
    threads,
    records: res.records,
    recordsPerSecond: res.recordsPerSecond,
    cliSeconds: res.seconds,
    wallSeconds: wall,
    cpuSeconds: cpu,
    recordsPerCpuSecond: cpu ? res.records / cpu : null,
    peakRssMB: peakMB,
    rssAtQuartersMB: quart,
    loadBefore: load0,
    loadAfter: loadavg()[0],
    note: rowLimitNote,
  };
}

async function benchInput(label, path, libRows) {
  const { d, rows } = readRows(path, libRows);
  log(`${label}: library rate on ${rows.length} rows of dimension ${d}...`);
  const lib = libraryRate(rows, d);
  log(`  library: ${lib.sealOnly.toFixed(0)} records/s (seal), ${lib.sealEncode.toFixed(0)} records/s (seal + encode)`);
  const runs = [];
  for (const t of threadList) {
    log(`${label}: sealvec encrypt --threads ${t}...`);
    const r = await cliRun(path, t);
    log(`  ${r.recordsPerSecond.toFixed(0)} records/s (${r.recordsPerCpuSecond?.toFixed(0)} per CPU-second), peak RSS ${r.peakRssMB.toFixed(0)} MB, wall ${r.wallSeconds.toFixed(1)} s (load ${r.loadBefore.toFixed(1)} -> ${r.loadAfter.toFixed(1)})`);
    runs.push(r);
  }
  const t1 = runs.find((r) => r.threads === 1);
  const t2 = runs.find((r) => r.threads === 2);
  return {
    input: label,
    path: path.startsWith(work) ? '(generated in /tmp, deleted)' : relative(REPO, path),
    rows: t1?.records ?? runs[0].records,
    dimension: d,
    library: { rows: rows.length, ...lib },
    runs,
    perThreadVsLibrary: Object.fromEntries(runs.map((r) => [r.threads, r.recordsPerSecond / r.threads / lib.sealOnly])),
    speedup2vs1: t1 && t2 ? t2.recordsPerSecond / t1.recordsPerSecond : null,
  };
}

async function main() {
  if (args.includes('--render')) {
    writeFileSync(join(outDir, 'cli.md'), markdown(JSON.parse(readFileSync(join(outDir, 'cli.json'), 'utf8'))));
    rmSync(work, { recursive: true, force: true });
    return;
  }
  const init = await run(process.execPath, [BIN, 'init', '--keys', keys, '--quiet']);
  if (init.code !== 0) throw new Error(init.stderr);
  const results = [];
  if (only === '1536') {
    // skipped on request
  } else if (existsSync(glovePath)) {
    let path = glovePath;
    if (quick) {
      path = join(work, 'glove-10k.fvecs');
      const { rows } = readRows(glovePath, 10_000);
      const b = Buffer.alloc(rows.length * 404);
      rows.forEach((v, i) => {
        b.writeInt32LE(100, i * 404);
        Buffer.from(v.buffer).copy(b, i * 404 + 4);
      });
      writeFileSync(path, b);
    }
    results.push(await benchInput('GloVe-100 base (100,000 x 100)', path, 2000));
  } else {
    log(`skipped GloVe: ${glovePath} not found`);
  }
  if (only !== 'glove') {
    const gen = join(work, `gen-${rows1536}x1536.fvecs`);
    log(`generating ${rows1536} x 1536 rows into ${gen}...`);
    generateFvecs(gen, rows1536, 1536);
    log(`  ${(statSync(gen).size / 1e6).toFixed(0)} MB`);
    results.push(await benchInput(`generated ${rows1536.toLocaleString('en-US')} x 1536 (pseudo-Gaussian)`, gen, 400));
  }
  rmSync(work, { recursive: true, force: true });
  if (only !== undefined && existsSync(join(outDir, 'cli.json'))) {
    // Keep the other input's section from the previous full run, with its own date.
    const prev = JSON.parse(readFileSync(join(outDir, 'cli.json'), 'utf8'));
    for (const r of prev.results) {
      if (!results.some((x) => x.dimension === r.dimension)) results.push({ ...r, measured: r.measured ?? prev.date });
    }
    results.sort((a, b) => a.dimension - b.dimension);
  }
  const now = new Date().toISOString();
  for (const r of results) r.measured ??= now;

  const report = {
    date: new Date().toISOString(),
    node: process.version,
    cpus: `${cpus().length} x ${cpus()[0]?.model ?? '?'}`,
    memoryGB: Number((totalmem() / 2 ** 30).toFixed(1)),
    scheme: 'cosine, preset balanced (beta 1), prefilter on, exact vector sealed, one policy (role=analyst)',
    output: 'sealed JSONL to stdout, redirected to /dev/null',
    results,
  };
  if (quick) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return;
  }
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'cli.json'), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(join(outDir, 'cli.md'), markdown(report));
  log(`wrote ${join(outDir, 'cli.md')} and cli.json`);
}

function markdown(rep) {
  const f0 = (x) => (x === null || x === undefined ? '-' : Math.round(x).toLocaleString('en-US'));
  const pct = (x) => `${(100 * x).toFixed(0)}%`;
  const lines = [
    '# CLI encryption throughput and memory',
    '',
    `Measured ${rep.date.slice(0, 10)} with \`node packages/cli/scripts/bench-cli.mjs\` (Node ${rep.node}, ${rep.cpus}, ${rep.memoryGB} GB).`,
    `Scheme: ${rep.scheme}. Output: ${rep.output}.`,
    'The library rate is `createSealer().seal()` on one thread in the same process run (best of two passes after a',
    'warm-up); "per thread vs library" divides the CLI rate by the thread count and by that rate (target >= 80%).',
    'The CLI also encodes every record as a JSONL line, so the rate of sealing + encoding in the library is shown too.',
    'The machine has 2 cores shared with other jobs: the load average before and after each run is listed, and wall',
    'clock figures taken under load understate both the CLI and the scaling; the CPU-second figures do not depend on',
    'how busy the machine was.',
    '',
  ];
  for (const r of rep.results) {
    lines.push(`## ${r.input}`, '');
    lines.push(`Input: \`${r.path}\`, ${f0(r.rows)} rows x ${r.dimension}. Measured ${r.measured.slice(0, 16).replace('T', ' ')} UTC.`, '');
    lines.push(
      `Library, one thread (${r.library.rows} rows): **${f0(r.library.sealOnly)} records/s** sealing; ${f0(r.library.sealEncode)} records/s sealing + JSONL encoding; ${f0(r.library.bytesPerRecord)} bytes per sealed line.`,
      '',
    );
    lines.push('| threads | records/s | per thread vs library sealing | per thread vs library sealing + encoding | wall (s) | peak RSS (MB) | RSS at 25/50/75/100% of the run (MB) | load before -> after |');
    lines.push('|---:|---:|---:|---:|---:|---:|---|---|');
    for (const x of r.runs) {
      lines.push(
        `| ${x.threads} | ${f0(x.recordsPerSecond)} | ${pct(x.recordsPerSecond / x.threads / r.library.sealOnly)} | ${pct(x.recordsPerSecond / x.threads / r.library.sealEncode)} | ${x.wallSeconds.toFixed(1)} | ${f0(x.peakRssMB)} | ${x.rssAtQuartersMB.map((v) => v ?? '-').join(' / ')} | ${x.loadBefore.toFixed(1)} -> ${x.loadAfter.toFixed(1)} |`,
      );
    }
    if (r.speedup2vs1 !== null) lines.push('', `Speed-up from 1 to 2 threads (wall clock): **${r.speedup2vs1.toFixed(2)}x**.`);
    if (r.library.sealOnlyPerCpuSecond && r.runs.every((x) => x.recordsPerCpuSecond)) {
      lines.push(
        '',
        'CPU cost (user + system CPU seconds of the whole process, all threads), much less sensitive to other jobs than',
        'wall time:',
        '',
        '| threads | records per CPU-second | vs library sealing per CPU-second | vs 1 thread |',
        '|---:|---:|---:|---:|',
        ...r.runs.map(
          (x) =>
            `| ${x.threads} | ${f0(x.recordsPerCpuSecond)} | ${pct(x.recordsPerCpuSecond / r.library.sealOnlyPerCpuSecond)} | ${pct(x.recordsPerCpuSecond / r.runs[0].recordsPerCpuSecond)} |`,
        ),
        '',
        'With free cores, N threads run at about N x the 1-thread rate times the "vs 1 thread" figure.',
      );
    }
    lines.push('');
  }
  lines.push(
    '## Reading these numbers',
    '',
    '- Memory is bounded by design: records are read, sealed and written in batches of about 256 KiB of vectors (at',
    '  most 256 rows) with at most two batches in flight per thread, so peak RSS does not grow with the input (compare',
    '  the RSS at each quarter of the run). The 1,000,000 x 768 bound of 300 MB follows from the same mechanism; that',
    '  size was not run here (3 GB of input, about 15 minutes per run on this machine).',
    '- With `--threads 1` sealing runs on the main thread together with reading and writing; with `--threads N` it runs',
    '  on N worker threads while the main thread reads, batches and writes, so on a 2-core machine `--threads 2` competes',
    '  with the main thread and with everything else running.',
    '- The CLI writes each vector as JSON numbers with 9 significant digits (exact for float32); formatting them costs',
    '  a share comparable to sealing at high dimension, which is the gap between the two library columns.',
    '',
  );
  return lines.join('\n');
}

await main();
