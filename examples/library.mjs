// The README's library example, runnable after `pnpm build`: node examples/library.mjs
import { createWriterKey, generateAuthority, issueUserKey, VectorKeyset } from '@sealvec/core';
import { LocalBackend, SealedCollection } from '@sealvec/qdrant';

// The authority holds the master secret, issues writer and user keys.
const authority = generateAuthority(); // schema: role, group, department
const writer = createWriterKey(authority);
const alice = issueUserKey(authority, { role: ['hr_manager'], group: ['team_hr'], department: ['human_resources'] });
const bob = issueUserKey(authority, { role: ['engineer'], department: ['engineering'] });

// The embedded local backend needs no server; new QdrantBackend({ url }) talks to Qdrant.
const backend = new LocalBackend();
const keyset = VectorKeyset.create(); // the vector key: every searcher holds it
const docs = await SealedCollection.create(backend, {
  name: 'docs',
  dimension: 4,
  metric: 'cosine',
  preset: 'balanced',
  keyset,
  writer, // creates the collection and signs its scheme
});

await docs.upsert(
  [
    { id: 'salary-review', vector: [0.9, 0.1, 0.0, 0.2], payload: { title: 'Salary review 2026' },
      policy: { role: ['hr_manager', 'admin'], group: ['team_hr'], department: ['human_resources'] } },
    { id: 'search-design', vector: [0.1, 0.9, 0.3, 0.0], payload: { title: 'Search design doc' },
      policy: { department: ['engineering'] } },
  ],
  { writer },
);

// A reader service opens the collection from the store with the vector keyset and something that
// names the authority to trust (here alice's key; or the authority's public key file written by
// exportAuthorityPublicKey): the collection's scheme must carry that authority's signature chain,
// and every record returned is checked against its writer's signature.
const reader = await SealedCollection.open(backend, { name: 'docs', keyset, authority: alice });

const query = [1, 0, 0, 0.1];
for (const [name, userKey] of [['alice', alice], ['bob', bob]]) {
  const { hits } = await reader.search(query, { userKey, k: 5 });
  console.log(name, hits.map((h) => `${h.id} (${h.score.toFixed(3)}): ${h.payload.title}`));
}
await backend.close();
