// Types of the ESM entry of fastify-pusher/testing.
export * from '../dist/lib/testing/index.js'
