/**
 * Type machinery that keeps each domain's list of method and event names in step with its
 * interface: a name missing from the list, or a list entry that is not on the interface, is a
 * compile error. The lists are what the preload and the dispatchers check incoming names against.
 */

/** Keys of S that are events: `onDidX`. */
export type EventName<S> = Extract<keyof S, `onDid${string}`>;

/** Keys of S that are methods returning promises (everything that is not an event). */
export type MethodName<S> = {
  [K in keyof S]: K extends `onDid${string}` ? never : S[K] extends (...args: never[]) => Promise<unknown> ? K : never;
}[keyof S] &
  string;

type Exhaustive<All, Listed extends readonly unknown[]> = [Exclude<All, Listed[number]>] extends [never]
  ? unknown
  : { missingNames: Exclude<All, Listed[number]> };

export interface DomainNames<S> {
  readonly methods: readonly MethodName<S>[];
  readonly events: readonly EventName<S>[];
}

/** Declares a domain's names; use as `domainNames<FooService>()({ methods: [...], events: [...] })`. */
export function domainNames<S>() {
  return <const M extends readonly MethodName<S>[], const E extends readonly EventName<S>[]>(names: {
    methods: M & Exhaustive<MethodName<S>, M>;
    events: E & Exhaustive<EventName<S>, E>;
  }): { readonly methods: M; readonly events: E } => names;
}
