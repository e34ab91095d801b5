// fastify-pusher/testing: for your own tests.
export { signWebhook, presenceWebhook, cacheMissWebhook, type SignedWebhook } from './sign-webhook'
export { authRequest, type AuthRequest } from './auth-request'
export { pusherTestClient, type PusherTestClient, type PusherTestClientOptions, type ScriptedChannel, type ScriptedFailure, type SentEvent, type RecordedCall } from './test-client'
