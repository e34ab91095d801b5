/** Polls `check` every 20 ms until it holds, for at most `withinMs` (10 s by default), then throws naming `what`. */
export async function until (check: () => Promise<boolean> | boolean, what: string, withinMs = 10_000): Promise<void> {
  const tries = Math.ceil(withinMs / 20)
  for (let i = 0; i < tries; i++) {
    if (await check()) return
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  throw new Error(`not within ${withinMs / 1000} s: ${what}`)
}
