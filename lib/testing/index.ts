// fastify-pusher/testing: for your own tests.
export { signWebhook, type SignedWebhook } from './sign-webhook'
export { pusherTestClient, type PusherTestClient, type SentEvent, type RecordedCall } from './test-client'
