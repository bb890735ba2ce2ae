/**
 * The command table: every command, its options, help text and examples. Each action parses
 * nothing itself; it hands typed options and the injected `io` to a plain async function in
 * ./commands/ (imported lazily, so `sealvec --help` does not load the crypto or the backends).
 */
import { Command, Option } from 'commander';
import { INPUT_FORMATS } from './input/types.js';
import type { Io } from './io.js';
import { fieldListOption, intOption, listOption, numberOption, tenantOption, threadsOption } from './options.js';
import { PROGRESS_MODES } from './progress.js';
import { parseMetric, parsePreset } from './scheme.js';

export const VERSION = '0.1.0';

function examples(...lines: string[]): string {
  return `\nExamples:\n${lines.map((l) => `  $ ${l}`).join('\n')}\n`;
}

const collect = (v: string, prev: string[] = []): string[] => [...prev, v];

/** Readers (search, get, export, decrypt): verify with the authority public key file. */
function addAuthorityOption(c: Command): Command {
  return c.option('--authority <file>', 'the authority\'s public key file ("sealvec keys public") to verify with, instead of the user key\'s own copy');
}

/** Options every command that reads plaintext records shares (encrypt, ingest). */
function addInputOptions(c: Command): Command {
  return c
    .requiredOption('-i, --input <file>', 'plaintext records: .jsonl .json .npy .fvecs .csv .tsv, or - for stdin')
    .addOption(new Option('--format <format>', 'input format (default: from the extension, or sniffed on stdin)').choices(INPUT_FORMATS))
    .option('--policy <policy>', 'policy for records without one, e.g. "role=hr_manager,admin;department=hr" or "*" (any key holder)')
    .option('--id-prefix <prefix>', 'prefix of generated ids (ids are the 0-based row index when the input has none)')
    .option('--dimension <d>', 'expected vector dimension (default: the first record\'s)', intOption('--dimension', 1, 65_536))
    .option('--vector-column <name>', 'CSV/TSV: column holding the vector (default: vector, embedding, embeddings or values)')
    .option('--id-column <name>', 'CSV/TSV: column holding ids (default: id)')
    .option('--policy-column <name>', 'CSV/TSV: column holding policies (default: policy)')
    .option('--delimiter <char>', 'CSV/TSV: field delimiter (default , for csv, tab for tsv)');
}

function addSchemeOptions(c: Command): Command {
  return c
    .option('--metric <metric>', 'cosine, euclid or dot', parseMetric, 'cosine')
    .option('--preset <preset>', 'security/recall preset: fast, balanced or private (default balanced)', parsePreset)
    .option('--beta <beta>', 'absolute beta (overrides --preset)', numberOption('--beta', 0))
    .option('--scale <norm>', 'euclid presets: the data\'s typical norm (default: median norm of the first batch)', numberOption('--scale', 0, true))
    .option('--max-norm <norm>', 'dot metric: the largest norm any record will have (required for dot)', numberOption('--max-norm', 0, true))
    .option('--no-prefilter', 'do not store pre-filter tokens (post-filter mode: less leakage, smaller top-k under selective policies)')
    .option('--blind-index <fields>', 'payload fields to blind-index for --where equality filters (comma-separated)', fieldListOption)
    .option('--no-exact-vector', 'do not seal the exact vector (smaller records; decryption is then exact up to float32 rounding)');
}

function addTargetOptions(c: Command): Command {
  return c
    .option('-c, --collection <name>', 'collection name (records are bound to it)', 'default')
    .option('--tenant <tenant>', 'tenant scope (default: the default tenant "")', tenantOption);
}

function addBackendOptions(c: Command): Command {
  return c
    .option('--qdrant <url>', 'Qdrant URL (env QDRANT_URL); without it the embedded store is used')
    .option('--api-key <key>', 'Qdrant API key (prefer env QDRANT_API_KEY: arguments are visible to other local users)')
    .option('--store <dir>', 'embedded store directory (env SEALVEC_STORE; default ./.sealvec/store)');
}

function addThreads(c: Command): Command {
  return c.option('--threads <n>', 'worker threads sealing in parallel (or "auto")', threadsOption, 1);
}

export function buildProgram(io: Io): Command {
  const program = new Command('sealvec');
  program
    .description('Searchable encrypted embeddings: seal vectors and payloads behind attribute policies, store them in Qdrant, search them with user keys.')
    .version(VERSION, '-V, --version')
    .option('--keys <dir>', 'key directory (env SEALVEC_KEYS; default ./.sealvec/keys)')
    .option('-q, --quiet', 'no progress or notes on stderr')
    .option('--json', 'machine-readable results on stdout, one JSON object per line (errors as JSON on stderr)')
    .addOption(new Option('--progress <mode>', 'progress on stderr: tty (redrawn line), plain (a log line every 5 s), none; auto = tty on a terminal, else plain').choices(PROGRESS_MODES).default('auto'))
    .option('--allow-readable-keys', 'accept key files that group or others can read (never ones they can write)')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
      outputError: (s, write) => write(`sealvec: ${s.replace(/^error: /, 'usage error: ')}`),
    })
    .addHelpText(
      'after',
      `
Exit codes: 0 ok, 1 unexpected, 2 usage, 3 crypto/key/policy, 4 backend, 5 input data, 6 the key opens nothing here.
Progress goes to stderr (--progress); NO_COLOR turns colour off. Passphrases: SEALVEC_PASSPHRASE, else asked on the terminal.
${examples(
  'sealvec init',
  'sealvec keys issue --role hr_manager --department human_resources -o alice.key',
  'sealvec encrypt -i embeddings.npy -o sealed.jsonl --policy "role=hr_manager"',
  'sealvec ingest -i docs.jsonl --policy "department=human_resources" --collection docs',
  'sealvec search --key alice.key --query-file q.json -k 5 --collection docs',
  'sealvec keys export -o keys.backup',
  'sealvec demo',
)}`,
    );

  const act = <T>(load: () => Promise<(opts: T, io: Io) => Promise<unknown>>, map?: (opts: Record<string, unknown>, args: unknown[]) => T) =>
    async function (this: Command, ...args: unknown[]) {
      const opts = this.optsWithGlobals();
      const f = await load();
      await f(map ? map(opts, args) : (opts as T), io);
    };

  program
    .command('init')
    .description('create a key directory: the authority (master secret), the vector keyset and a writer key, files mode 0600')
    .option('--force', 'replace existing keys (the old ones are lost for good)')
    .option('--schema <dimensions>', 'policy dimensions, comma-separated (default role,group,department)', listOption)
    .option('--protect', 'passphrase-protect the key files at rest (SEALVEC_PASSPHRASE, else asked)')
    .addHelpText('after', examples('sealvec init', 'sealvec init --keys /secure/sealvec-keys --protect', 'sealvec init --schema role,region --force'))
    .action(act(async () => (await import('./commands/init.js')).init));

  const keys = program.command('keys').description('issue, inspect and rotate keys');
  keys
    .command('issue')
    .description('issue a user key for a set of attributes, or (--writer) a writer key; written mode 0600, never printed')
    .option('-o, --output <file>', 'where to write the key (required for user keys; --writer: default the key directory\'s writer.json)')
    .option('--writer', 'issue the certified writer key of the tenant and epoch instead (replaces a version 1 writer.json)')
    .option('--role <role>', 'a role the user holds (repeatable, or comma-separated)', collect)
    .option('--group <group>', 'a group the user belongs to (repeatable, or comma-separated)', collect)
    .option('--department <dept>', 'a department (repeatable, or comma-separated)', collect)
    .option('--attr <dim=values>', 'any schema dimension: DIM=V1,V2 (repeatable)', collect)
    .option('--tenant <tenant>', 'tenant scope of the key', tenantOption)
    .option('--epoch <n>', 'epoch (default: the current one)', intOption('--epoch', 1, 0xffff_ffff))
    .option('--blind-index <fields>', 'payload fields this user may filter on with --where', fieldListOption)
    .option('--protect', 'passphrase-protect the key file (SEALVEC_PASSPHRASE, else asked)')
    .option('--force', 'replace an existing file')
    .addHelpText(
      'after',
      examples(
        'sealvec keys issue --role hr_manager --department human_resources -o alice.key',
        'sealvec keys issue --role engineer --group platform,search --department engineering -o bob.key',
        'sealvec keys issue --attr region=eu --role analyst --blind-index status -o carol.key',
        'sealvec keys issue --writer',
        'sealvec keys issue --writer --tenant acme -o acme-writer.json',
      ),
    )
    .action(act(async () => (await import('./commands/keys.js')).keysIssue));
  keys
    .command('info [file]')
    .description('what a key file (or the key directory) holds: ids, epochs, attributes; never secrets')
    .addHelpText('after', examples('sealvec keys info', 'sealvec keys info alice.key --json'))
    .action(act(async () => (await import('./commands/keys.js')).keysInfo, (o, a) => ({ ...o, file: a[0] as string | undefined })));
  keys
    .command('public')
    .description('the authority public key file readers verify collections and sealed files with (holds no secret)')
    .option('-o, --output <file>', 'where to write it, mode 0644 (default - = stdout)')
    .option('--force', 'replace an existing file')
    .addHelpText('after', examples('sealvec keys public -o authority.pub.json', 'sealvec search --key alice.key --authority authority.pub.json --query-file q.json'))
    .action(act(async () => (await import('./commands/keys-public.js')).keysPublic));
  keys
    .command('rotate')
    .description('start a new epoch (revocation) and a new primary vector key; old keys stay readable until retired')
    .addOption(new Option('--only <what>', 'rotate only the epoch or only the vector key').choices(['epoch', 'vector']))
    .addHelpText('after', examples('sealvec keys rotate', 'sealvec keys rotate --only epoch'))
    .action(act(async () => (await import('./commands/keys.js')).keysRotate));
  keys
    .command('retire')
    .description('remove an old vector key from the keyset; refused while a collection still holds records under it')
    .requiredOption('--kid <kid>', 'the key id to retire')
    .option('-c, --collection <name>', 'collection to check (repeatable; default: every collection of the store)', collect)
    .option('--force', 'retire without checking (records still under the key become unreadable)')
    .option('--qdrant <url>', 'check Qdrant (env QDRANT_URL) instead of the embedded store')
    .option('--api-key <key>', 'Qdrant API key (prefer env QDRANT_API_KEY)')
    .option('--store <dir>', 'embedded store directory (env SEALVEC_STORE; default ./.sealvec/store)')
    .addHelpText('after', examples('sealvec keys retire --kid 3f2a9c0d1e4b5a68', 'sealvec keys retire --kid 3f2a9c0d1e4b5a68 --qdrant http://localhost:6333'))
    .action(act(async () => (await import('./commands/keys-retire.js')).keysRetire));
  keys
    .command('export')
    .description('back up the key directory to one passphrase-protected file (scrypt + XChaCha20-Poly1305)')
    .requiredOption('-o, --output <file>', 'the backup file to write (mode 0600)')
    .option('--force', 'replace an existing file')
    .addHelpText('after', examples('sealvec keys export -o keys.backup', 'SEALVEC_PASSPHRASE=... sealvec keys export -o /mnt/offline/sealvec-keys.backup --json'))
    .action(act(async () => (await import('./commands/keys-backup.js')).keysExport));
  keys
    .command('import')
    .description('restore a key directory from a backup made by "keys export" (every key checked before anything is written)')
    .requiredOption('-i, --input <file>', 'the backup file')
    .option('--force', 'replace keys the directory already holds')
    .option('--protect', 'passphrase-protect the restored files at rest')
    .addHelpText('after', examples('sealvec keys import -i keys.backup', 'sealvec keys import -i keys.backup --keys /srv/sealvec/keys --protect'))
    .action(act(async () => (await import('./commands/keys-backup.js')).keysImport));
  keys
    .command('protect [files...]')
    .description('passphrase-protect key files at rest (default: the key directory\'s files)')
    .addHelpText('after', examples('sealvec keys protect', 'sealvec keys protect alice.key'))
    .action(act(async () => (await import('./commands/keys-protect.js')).keysProtect, (o, a) => ({ ...o, files: a[0] as string[] })));
  keys
    .command('unprotect [files...]')
    .description('store passphrase-protected key files in the clear again (default: the key directory\'s files)')
    .addHelpText('after', examples('sealvec keys unprotect', 'sealvec keys unprotect alice.key'))
    .action(act(async () => (await import('./commands/keys-protect.js')).keysUnprotect, (o, a) => ({ ...o, files: a[0] as string[] })));

  const encrypt = program
    .command('encrypt')
    .description('seal plaintext embeddings into a sealed JSONL file, or a sealed .npy pair with -o X.npy (streaming; output written atomically)');
  addInputOptions(encrypt);
  encrypt.requiredOption('-o, --output <file>', 'sealed JSONL to write, X.npy for a sealed .npy pair (X.npy + X.jsonl sidecar, for bulk pipelines), or - for stdout');
  addTargetOptions(encrypt);
  addSchemeOptions(encrypt);
  addThreads(encrypt)
    .addHelpText(
      'after',
      examples(
        'sealvec encrypt -i embeddings.jsonl -o sealed.jsonl --policy "role=analyst"',
        'sealvec encrypt -i vectors.npy -o sealed.jsonl --policy "department=hr" --threads 2',
        'sealvec encrypt -i base.fvecs -o sealed.npy --policy "*" --threads auto   # writes sealed.npy + sealed.jsonl',
        'sealvec encrypt -i base.fvecs -o - --policy "*" --metric euclid | gzip > sealed.jsonl.gz',
        'python make_embeddings.py | sealvec encrypt -i - --format jsonl -o sealed.jsonl --policy "role=analyst"',
        'sealvec encrypt -i docs.csv --vector-column embedding -o sealed.jsonl --policy "group=legal"',
      ),
    )
    .action(act(async () => (await import('./commands/encrypt.js')).encrypt));

  const decrypt = program
    .command('decrypt')
    .description('open the records of a sealed file that a user key may read (others are skipped)')
    .requiredOption('-i, --input <file>', 'sealed JSONL, a sealed .npy pair (X.npy or its X.jsonl sidecar), or - for stdin (JSONL only)')
    .requiredOption('--key <file>', 'the user key')
    .option('-o, --output <file>', 'plaintext JSONL {id, vector, payload} to write, mode 0600 (default - = stdout)', '-')
    .option('--no-vector', 'payloads only (faster)')
    .option('--allow-v1', 'read a format v1 sealed file, whose scheme is not signed');
  addAuthorityOption(decrypt)
    .addHelpText('after', examples('sealvec decrypt -i sealed.jsonl --key alice.key', 'sealvec decrypt -i sealed.jsonl --key alice.key -o opened.jsonl --json'))
    .action(act(async () => (await import('./commands/decrypt.js')).decrypt));

  const get = program
    .command('get <ids...>')
    .description('the records with these ids that a user key may open, as plaintext JSONL')
    .requiredOption('--key <file>', 'the user key')
    .option('-o, --output <file>', 'plaintext JSONL to write, mode 0600 (default - = stdout)', '-')
    .option('--no-vector', 'payloads only')
    .option('--allow-v1', 'read a format v1 collection, whose scheme is not signed (read and migrate only)');
  addTargetOptions(get);
  addAuthorityOption(get);
  addBackendOptions(get)
    .addHelpText('after', examples('sealvec get --key alice.key --collection docs doc-17 doc-18'))
    .action(act(async () => (await import('./commands/get.js')).get, (o, a) => ({ ...(o as { key: string }), ids: a[0] as string[] })));

  const exp = program
    .command('export')
    .description('every record of a collection that a user key may open, as plaintext JSONL (streaming, atomic)')
    .requiredOption('--key <file>', 'the user key')
    .option('-o, --output <file>', 'plaintext JSONL to write, mode 0600 (default - = stdout)', '-')
    .option('--no-vector', 'payloads only')
    .option('--allow-v1', 'read a format v1 collection, whose scheme is not signed (read and migrate only)');
  addTargetOptions(exp);
  addAuthorityOption(exp);
  addBackendOptions(exp)
    .addHelpText('after', examples('sealvec export --key alice.key --collection docs -o alice-docs.jsonl'))
    .action(act(async () => (await import('./commands/export.js')).exportRecords));

  const cols = program.command('collections').description('the collections of the store, with record counts, schemes, vector keys and epochs (no key needed)');
  addBackendOptions(cols)
    .addHelpText('after', examples('sealvec collections', 'sealvec collections --qdrant http://localhost:6333 --json'))
    .action(act(async () => (await import('./commands/collections.js')).collections));

  const ingest = program
    .command('ingest')
    .description('encrypt records and upsert them into Qdrant or the embedded store (a sealed JSONL file is stored as is)');
  ingest
    .requiredOption('-i, --input <file>', 'plaintext records (.jsonl .json .npy .fvecs .csv .tsv), a sealed JSONL file or .npy pair, or - for stdin')
    .addOption(new Option('--format <format>', 'input format (default: from the extension; sealed files are recognised by their header, a sealed X.npy by its X.jsonl sidecar)').choices([...INPUT_FORMATS, 'sealed']))
    .option('--policy <policy>', 'policy for records without one, e.g. "role=analyst" or "*"')
    .option('--id-prefix <prefix>', 'prefix of generated ids')
    .option('--dimension <d>', 'expected vector dimension', intOption('--dimension', 1, 65_536))
    .option('--vector-column <name>', 'CSV/TSV: column holding the vector')
    .option('--id-column <name>', 'CSV/TSV: column holding ids')
    .option('--policy-column <name>', 'CSV/TSV: column holding policies')
    .option('--delimiter <char>', 'CSV/TSV: field delimiter');
  addTargetOptions(ingest);
  addSchemeOptions(ingest);
  addBackendOptions(ingest);
  addThreads(ingest)
    .option('--batch-size <n>', 'points per upsert request', intOption('--batch-size', 1, 10_000))
    .addHelpText(
      'after',
      examples(
        'sealvec ingest -i docs.jsonl --policy "department=human_resources" --collection docs',
        'sealvec ingest -i sealed.jsonl --collection docs --qdrant http://localhost:6333',
        'QDRANT_URL=https://xyz.cloud.qdrant.io QDRANT_API_KEY=... sealvec ingest -i vectors.npy --policy "*"',
      ),
    )
    .action(act(async () => (await import('./commands/ingest.js')).ingest));

  const search = program
    .command('search')
    .description('nearest records a user key may open, with decrypted payloads and exact scores')
    .requiredOption('--key <file>', 'the user key')
    .option('--query <json>', 'the query vector as a JSON array')
    .option('--query-file <file>', 'queries: JSON array, JSONL, .npy, .fvecs, CSV (every row is one query), or - for stdin')
    .option('-k, --k <n>', 'results per query', intOption('-k', 1, 10_000), 10)
    .option('--where <field=value>', 'equality filter on a blind-indexed payload field (repeatable; a JSON number, true/false or "string" is that, anything else a string)', collect)
    .option('--oversample <n>', 'candidates fetched = k x oversample (default: the preset\'s)', intOption('--oversample', 1, 1000))
    .option('--candidates <n>', 'candidates fetched per vector key, explicitly (overrides --oversample)', intOption('--candidates', 1, 100_000))
    .option('--no-rerank', 'rank by the encrypted (approximate) distance only')
    .option('--with-vector', 'also print each hit\'s decrypted vector')
    .option('--allow-v1', 'read a format v1 collection, whose scheme is not signed (read and migrate only)');
  addTargetOptions(search);
  addAuthorityOption(search);
  addBackendOptions(search)
    .addHelpText(
      'after',
      examples(
        'sealvec search --key alice.key --query "[0.12, -0.03, ...]" -k 5',
        'sealvec search --key alice.key --query-file queries.fvecs -k 10 --json',
        'echo "[0.1, 0.2, 0.3]" | sealvec search --key bob.key --query-file - --where status=\\"open\\"',
      ),
    )
    .action(act(async () => (await import('./commands/search.js')).search));

  const rewrap = program
    .command('rewrap')
    .description('move records to the current epoch by rewriting headers only (after "keys rotate"); vectors and payloads are untouched')
    .option('-i, --input <file>', 'a sealed file to rewrap: sealed JSONL or a sealed .npy pair (else: the collection)')
    .option('-o, --output <file>', 'with -i: the rewrapped file to write (may equal the input; X.npy writes a pair)');
  addTargetOptions(rewrap);
  addBackendOptions(rewrap)
    .addHelpText('after', examples('sealvec rewrap -i sealed.jsonl -o sealed.jsonl', 'sealvec rewrap --collection docs'))
    .action(act(async () => (await import('./commands/rewrap.js')).rewrap));

  const rotate = program
    .command('rotate')
    .description('re-encrypt records under the primary vector key (after "keys rotate"); then "keys retire" the old key')
    .option('-i, --input <file>', 'a sealed file to re-encrypt: sealed JSONL or a sealed .npy pair (else: the collection)')
    .option('-o, --output <file>', 'with -i: the re-encrypted file to write (X.npy writes a pair)')
    .option('--allow-v1', 'migrate format v1 data (unsigned scheme and records) to v2 by re-sealing every record')
    .option('--scale <norm>', 'migrating a euclid v1 file: the data\'s typical norm (v1 never recorded it)', numberOption('--scale', 0, true));
  addTargetOptions(rotate);
  addBackendOptions(rotate)
    .addHelpText('after', examples('sealvec rotate -i sealed.jsonl -o rotated.jsonl', 'sealvec rotate --collection docs', 'sealvec keys rotate --only vector && sealvec rotate --collection old-v1 --allow-v1'))
    .action(act(async () => (await import('./commands/rotate.js')).rotate));

  const inspect = program
    .command('inspect [file]')
    .description('what a sealed file, record or collection reveals without any key (no key needed)')
    .option('--record <id>', 'show one record\'s public fields');
  addTargetOptions(inspect);
  addBackendOptions(inspect)
    .addHelpText('after', examples('sealvec inspect sealed.jsonl', 'sealvec inspect sealed.npy --record doc-17', 'sealvec inspect --collection docs --json'))
    .action(act(async () => (await import('./commands/inspect.js')).inspect, (o, a) => ({ ...o, file: a[0] as string | undefined })));

  program
    .command('demo')
    .description('the whole story on a real dataset, in memory: keys for three users, encrypted ingest, searches, recall, a denied access')
    .option('--dataset <dir>', 'a texmex folder (base.fvecs, query.fvecs, groundtruth.ivecs) (default: the bundled GloVe 2000 x 100)')
    .option('-k, --k <n>', 'neighbours per query', intOption('-k', 1, 100), 10)
    .option('--queries <n>', 'queries to run', intOption('--queries', 1, 10_000))
    .addHelpText('after', examples('sealvec demo', 'sealvec demo --json'))
    .action(act(async () => (await import('./commands/demo.js')).demo));

  return program;
}
