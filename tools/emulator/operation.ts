/**
 * What the emulator knows of one AWS operation, in one place: where the SDK sends it (method, URI
 * pattern and query bindings, as its schema says), what it declares it may throw, and how it answers
 * from the emulator's data. Each operation has its file in `operations/`; `registry.ts` lists them,
 * and the server routes, records, throttles and faults every one of them alike.
 */
import type { CredentialMapEntries } from './wire.js';

export type EmulatedService = 'quicksight' | 'datazone';

/** An AWS error answer: the exception name (x-amzn-ErrorType), its HTTP status and message. */
export interface AwsErrorAnswer {
  error: string;
  status: number;
  message: string;
}

export function awsError(error: string, status: number, message: string): AwsErrorAnswer {
  return { error, status, message };
}

/** One request as an operation's `answer` sees it. */
export interface OperationRequest {
  /** URL-decoded request members, named as in the SDK: path labels, query members sent, and `bodyMembers`. */
  params: Record<string, string>;
  /** The request body as text (POST only). */
  body?: string;
  /** The x-amzn-RequestId of the answer (QuickSight repeats it in the body). */
  requestId: string;
  /** DataZone `withSecret=true` was sent. */
  withSecret: boolean;
}

export interface EmulatedOperationSpec<Name extends string = string> {
  service: EmulatedService;
  /** The AWS operation's name, e.g. `GetConnection`: what `RecordedCall.operation` and fault rules name. */
  name: Name;
  method: 'GET' | 'POST';
  /** The request URI as the SDK's schema binds it: `{Member}` is a path label, e.g. `/v2/domains/{domainIdentifier}/connections/{identifier}`. */
  path: string;
  /** The query parameters the SDK binds with @httpQuery: wire name -> member name. Others are ignored. */
  query?: Readonly<Record<string, string>>;
  /** The member a fault rule's `id` matches (the item's id, or the owner's for a list). */
  faultId: string;
  /** DataZone's `withSecret` query flag: recorded on the call; a value other than true/false is refused before anything else. */
  withSecret?: boolean;
  /** Members of the request body, recorded as text with the call's `params`. */
  bodyMembers?(body: string): Record<string, string>;
  /** The errors the SDK command declares (its `@throws`); test/emulator.test.ts checks them against the SDK's error tables. */
  errors: readonly string[];
  /** The successful body, or the AWS error the service would answer. */
  answer(request: OperationRequest, store: EmulatorStore): string | AwsErrorAnswer;
}

/** Infers an operation's literal name; returns it unchanged. */
export function defineEmulatedOperation<const Name extends string>(operation: EmulatedOperationSpec<Name>): EmulatedOperationSpec<Name> {
  return operation;
}

/** What `store` reads of the emulator's options. */
export interface StoreOptions {
  credentialMapEntries?: CredentialMapEntries;
}

/**
 * A kind of item the emulator holds (connectors, connections, ...): where an SDK-shaped item goes
 * and what the operations read of it, prepared once when it is put (a snapshot), and the demo data.
 */
export interface EmulatedResource<Item, Stored> {
  /** The item's owner (an account or a domain), its id, and what is kept. Throws TypeError for an item without them. */
  store(item: Item, options: StoreOptions): { owner: string; id: string; stored: Stored };
  /** The items the emulator starts with (EmulatorOptions.seed). */
  seed(): Item[];
}

export function defineResource<Item, Stored>(resource: EmulatedResource<Item, Stored>): EmulatedResource<Item, Stored> {
  return resource;
}

/** The items of one resource, by owner and id, in insertion order (an overwrite keeps the item's place). */
export class Collection<Stored> {
  readonly #items = new Map<string, { owner: string; stored: Stored }>();

  set(owner: string, id: string, stored: Stored): void {
    this.#items.set(`${owner}\u0000${id}`, { owner, stored });
  }

  get(owner: string, id: string): Stored | undefined {
    return this.#items.get(`${owner}\u0000${id}`)?.stored;
  }

  /** The items of one owner, in insertion order. */
  ownedBy(owner: string): Stored[] {
    const items: Stored[] = [];
    for (const entry of this.#items.values()) if (entry.owner === owner) items.push(entry.stored);
    return items;
  }

  clear(): void {
    this.#items.clear();
  }
}

// `any` where the store does not care: each resource's types are its own business.
export type AnyResource = EmulatedResource<any, any>;

/** The emulator's data: one collection per resource. */
export class EmulatorStore {
  readonly #collections = new Map<AnyResource, Collection<unknown>>();

  constructor(private readonly options: StoreOptions) {}

  of<Stored>(resource: EmulatedResource<any, Stored>): Collection<Stored> {
    let collection = this.#collections.get(resource);
    if (collection === undefined) {
      collection = new Collection<unknown>();
      this.#collections.set(resource, collection);
    }
    return collection as Collection<Stored>;
  }

  put<Item>(resource: EmulatedResource<Item, unknown>, item: Item): void {
    const { owner, id, stored } = resource.store(item, this.options);
    this.of(resource).set(owner, id, stored);
  }

  clear(): void {
    for (const collection of this.#collections.values()) collection.clear();
  }
}
