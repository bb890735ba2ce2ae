/**
 * The data of Qdrant's own REST tests (qdrant/qdrant tests/openapi), copied as the cases need it.
 */

/**
 * tests/openapi/helpers/collection_setup.py `basic_collection_setup`: a Dot collection of size 4.
 * Its points 9 and 10 carry only a sparse vector (a feature we do not use), so they are left
 * out: 8 points where the Python tests see 10.
 */
export const BASIC_COLLECTION = { vectors: { size: 4, distance: 'Dot' } };
export const BASIC_POINTS = [
  { id: 1, vector: [0.05, 0.61, 0.76, 0.74], payload: { city: 'Berlin', price: 10.0 } },
  { id: 2, vector: [0.19, 0.81, 0.75, 0.11], payload: { city: ['Berlin', 'London'], price: 11.0 } },
  { id: 3, vector: [0.36, 0.55, 0.47, 0.94], payload: { city: ['Berlin', 'Moscow'], price: 9.5 } },
  { id: 4, vector: [0.18, 0.01, 0.85, 0.8], payload: { city: ['London', 'Moscow'], price: 9 } },
  { id: 5, vector: [0.24, 0.18, 0.22, 0.44], payload: { count: 0 } },
  { id: 6, vector: [0.35, 0.08, 0.11, 0.44] },
  { id: 7, vector: [0.25, 0.98, 0.14, 0.43], payload: { city: null, price: null } },
  { id: 8, vector: [0.79, 0.53, 0.72, 0.15], payload: { city: [], price: [] } },
];

/** tests/openapi/test_match_any_empty.py and test_match_except_empty.py `create_collection`. */
export const MATCH_COLLECTION = { vectors: { size: 2, distance: 'Dot' } };
export const MATCH_POINTS = [
  { id: 1, vector: [1.0, 0.0], payload: { n: 1, tag: 'a', uid: '550e8400-e29b-41d4-a716-446655440001' } },
  { id: 2, vector: [0.0, 1.0], payload: { n: 2, tag: 'b', uid: '550e8400-e29b-41d4-a716-446655440002' } },
  { id: 3, vector: [1.0, 1.0], payload: { n: 3, tag: 'c', uid: '550e8400-e29b-41d4-a716-446655440003' } },
];

/** tests/openapi/test_euclid_dist.py `setup`: three points under Euclid, size 2. */
export const EUCLID_COLLECTION = { vectors: { size: 2, distance: 'Euclid' } };
export const EUCLID_POINTS = [
  { id: 1, vector: [0.0, 0.0], payload: { city: 'Berlin' } },
  { id: 2, vector: [0.0, 1.0], payload: { city: ['Berlin', 'London'] } },
  { id: 3, vector: [-1, -1], payload: { city: ['Berlin', 'Moscow'] } },
];

const city = (name: string, population: number, lon: number, lat: number, sightseeing: string[]) => ({
  name,
  population,
  location: { lon, lat },
  sightseeing,
});

/** tests/openapi/test_nested_payload_indexing.py `nested_payload_collection_setup` (size 4, Dot). */
export const NESTED_COLLECTION = { vectors: { size: 4, distance: 'Dot' } };
export const NESTED_POINTS = [
  {
    id: 1,
    vector: [0.05, 0.61, 0.76, 0.74],
    payload: {
      country: {
        name: 'Germany',
        capital: 'Berlin',
        cities: [
          city('Berlin', 3.7, 13.76116, 52.33826, ['Brandenburg Gate', 'Reichstag']),
          city('Munich', 1.5, 11.57549, 48.13743, ['Marienplatz', 'Olympiapark']),
          city('Hamburg', 1.8, 9.99368, 53.55108, ['Reeperbahn', 'Elbphilharmonie']),
        ],
      },
    },
  },
  {
    id: 2,
    vector: [0.19, 0.81, 0.75, 0.11],
    payload: {
      country: {
        name: 'England',
        capital: 'London',
        cities: [
          city('London', 8.9, -0.12755, 51.50722, ['Big Ben', 'London Eye', 'Buckingham Palace']),
          city('Manchester', 2.5, -2.23743, 53.48095, ['Manchester United', 'Manchester City']),
          city('Liverpool', 0.5, -2.97794, 53.41058, ['Anfield', 'Albert Dock']),
        ],
      },
    },
  },
  {
    id: 3,
    vector: [0.36, 0.55, 0.47, 0.94],
    payload: {
      country: {
        name: 'France',
        capital: 'Paris',
        cities: [
          city('Paris', 2.2, 2.35222, 48.85661, ['Eiffel Tower', 'Louvre', 'Notre Dame', 'Arc de Triomphe']),
          city('Marseille', 0.9, 5.36978, 43.29648, ['Vieux Port', 'Notre Dame de la Garde']),
          city('Lyon', 0.5, 4.83565, 45.76404, ['Place Bellecour', 'Fourvière Basilica']),
        ],
      },
    },
  },
  {
    id: 4,
    vector: [0.18, 0.01, 0.85, 0.8],
    payload: {
      country: {
        name: 'Japan',
        capital: 'Tokyo',
        cities: [
          city('Tokyo', 9.3, 139.69171, 35.6895, ['Tokyo Tower', 'Tokyo Skytree']),
          city('Osaka', 2.7, 135.50217, 34.69374, ['Osaka Castle', 'Universal Studios Japan']),
          city('Kyoto', 1.5, 135.76803, 35.01163, ['Kiyomizu-dera', 'Fushimi Inari-taisha']),
        ],
      },
    },
  },
  { id: 5, vector: [0.24, 0.18, 0.22, 0.44], payload: { country: { name: 'Nauru', cities: [{ name: null }] } } },
  { id: 6, vector: [0.35, 0.08, 0.11, 0.44] },
];
