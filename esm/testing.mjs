// The ESM entry of fastify-pusher/testing: the CommonJS build's named exports.
export * from '../dist/lib/testing/index.js'
