// The ESM entry of fastify-pusher/otel: the CommonJS build's named exports.
export * from '../dist/lib/telemetry/otel.js'
