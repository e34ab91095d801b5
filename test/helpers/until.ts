/** Polls `check` every 20 ms until it holds: at most 500 times (10 s), then throws naming `what`. */
export async function until (check: () => Promise<boolean> | boolean, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (await check()) return
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  throw new Error(`not within 10 s: ${what}`)
}
