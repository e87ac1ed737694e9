import pMap from 'p-map';

/**
 * The body of every DataLoader batch function here: runs `fetchOne` for each key with at most
 * `concurrency` calls in flight, and returns one value or one Error per key, in key order. A failing
 * key never rejects the batch, so it never fails its siblings.
 */
export function fetchEach<K, V>(
  keys: readonly K[],
  concurrency: number,
  fetchOne: (key: K) => Promise<V>,
  toError: (error: unknown, key: K) => Error,
): Promise<Array<V | Error>> {
  // A promise chain rather than an async function: one promise fewer per key.
  const settle = (key: K): Promise<V | Error> => {
    try {
      return fetchOne(key).then(undefined, (error: unknown) => toError(error, key));
    } catch (error) {
      return Promise.resolve(toError(error, key));
    }
  };
  // Most batches fit the concurrency: start them all without p-map's queue.
  if (keys.length <= concurrency) return Promise.all(keys.map(settle));
  return pMap(keys, settle, { concurrency });
}
