/** A promise and the function that settles it: a gate a test opens, or a point it waits for. Shared by the tests that hold a run still. */
export function deferred(): { readonly promise: Promise<void>; readonly resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((settle) => (resolve = settle));
  return { promise, resolve };
}
