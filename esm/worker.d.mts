// Types of the ESM entry of fastify-pusher/worker.
export * from '../dist/lib/queue/start-worker.js'
