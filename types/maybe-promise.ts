/** A value, or a promise of it: what a handler or a store may answer with. */
export type MaybePromise<T> = T | Promise<T>
