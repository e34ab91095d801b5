// Types of the ESM entry of fastify-pusher/prometheus.
export * from '../dist/lib/telemetry/prometheus.js'
