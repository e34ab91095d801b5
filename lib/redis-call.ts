/** The part of an `ioredis` client the Redis stores use (any client with this call will do). */
export interface RedisLike {
  pipeline (commands: Array<Array<string | number>>): { exec: () => Promise<Array<[Error | null, unknown]> | null> }
}

/**
 * One Redis command, sent through a pipeline (ioredis then encodes it once, whatever its number of
 * arguments): its reply, or its error thrown.
 */
export async function redisCall (redis: RedisLike, command: Array<string | number>): Promise<unknown> {
  const [answer] = await redis.pipeline([command]).exec() ?? []
  if (answer === undefined) throw new Error('Redis answered nothing (an aborted transaction?)')
  const [error, reply] = answer
  if (error !== null) throw error
  return reply
}
