// README, "Durable sending", a worker process of its own. Run by test/readme-samples.test.ts with
// PUSHER_URL (a loopback stand-in for the API) and REDIS_URL, stopped with SIGTERM.
// --- README sample ---
import Redis from 'ioredis'
import { startWorker } from 'fastify-pusher/worker'

const redis = new Redis(process.env.REDIS_URL)
// Credentials from the options or PUSHER_URL / PUSHER_APP_ID ...; the same queue options as the app's
const worker = await startWorker({ queue: { connection: redis, concurrency: 32 } })

process.once('SIGTERM', async () => {
  await worker.close() // waits for the calls in flight, leaves the rest in Redis
  await redis.quit()
})
// --- end of README sample ---
console.log('worker started')
