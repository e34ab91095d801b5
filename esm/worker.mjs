// The ESM entry of fastify-pusher/worker: the CommonJS build's named exports.
export * from '../dist/lib/queue/start-worker.js'
