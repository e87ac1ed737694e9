import { type GraphQLSchema, defaultFieldResolver, isObjectType } from 'graphql';
import { isCredentialMapKey } from '../auth/credential-map-keys.js';
import { type AuthPolicy, MAP_ENTRY_VALUE } from '../auth/policy.js';

/*
 * Which responses carry a credential: a schema pass that marks the request when a secret field
 * resolves to a value. The server reads the mark to answer `private, no-store`
 * (src/server/response-policy.ts); it sits here, below the server, because schema assembly applies it.
 */

/** The per-request context objects of requests in which a secret field resolved to a value. */
const requestsWithCredentials = new WeakSet<object>();

/** Marks the request (by its context object) as carrying a credential in its response. */
export function markResponseWithCredentials(context: object): void {
  requestsWithCredentials.add(context);
}

export function responseHasCredentials(context: object): boolean {
  return requestsWithCredentials.has(context);
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === 'function';
}

/**
 * Wraps the resolver of every secret field (from the policy, so no second list), and of a map
 * entry's value when its key names a credential, to mark the request when the field resolves to a
 * value. Applied after `policy.enforce`: a field the caller may not see throws before it could be
 * marked.
 */
export function trackCredentialResponses(schema: GraphQLSchema, policy: AuthPolicy): void {
  for (const coordinate of policy.mayCarryCredentials) {
    const [typeName = '', fieldName = ''] = coordinate.split('.');
    const type = schema.getType(typeName);
    const field = isObjectType(type) ? type.getFields()[fieldName] : undefined;
    if (!field) throw new Error(`Secret field ${coordinate} is not in the schema`);
    const resolve = field.resolve ?? defaultFieldResolver;
    const carriesCredential: (parent: unknown) => boolean =
      coordinate === MAP_ENTRY_VALUE ? (entry) => isCredentialMapKey((entry as { key: string }).key) : () => true;
    field.resolve = (parent, args, context: object, info) => {
      if (!carriesCredential(parent)) return resolve(parent, args, context, info);
      const value = resolve(parent, args, context, info);
      if (isPromiseLike(value)) {
        return Promise.resolve(value).then((resolved) => {
          if (resolved !== null && resolved !== undefined) markResponseWithCredentials(context);
          return resolved;
        });
      }
      if (value !== null && value !== undefined) markResponseWithCredentials(context);
      return value;
    };
  }
}
