// The ESM entry of fastify-pusher/prometheus: the CommonJS build's named exports.
export * from '../dist/lib/telemetry/prometheus.js'
