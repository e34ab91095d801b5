// Types of the ESM entry of fastify-pusher/otel.
export * from '../dist/lib/telemetry/otel.js'
