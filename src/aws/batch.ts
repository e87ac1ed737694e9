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
  const settle = async (key: K): Promise<V | Error> => {
    try {
      return await fetchOne(key);
    } catch (error) {
      return toError(error, key);
    }
  };
  // Most batches fit the concurrency: start them all without p-map's queue.
  if (keys.length <= concurrency) return Promise.all(keys.map(settle));
  return pMap(keys, settle, { concurrency });
}
