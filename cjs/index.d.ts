// Types of the CommonJS entry, declared the way Fastify's own plugins declare theirs
// (@fastify/cookie, @fastify/jwt): `export =` the plugin, with a namespace that carries the
// default and named exports and every public type. So every import style is typed as the plugin:
//   import fastifyPusher = require('fastify-pusher')      // TypeScript, CommonJS
//   const fastifyPusher = require('fastify-pusher')       // JavaScript under checkJs
//   import fastifyPusher from 'fastify-pusher'            // with or without esModuleInterop
//   import { fastifyPusher } from 'fastify-pusher'
// The names are those of the built module (dist/index.d.ts); test/import-types.test.ts keeps the two equal.
import {
  AuthRequestBody, BatchAuthResponse, ChannelAuthResponse, ChannelName, SocketId, AuthResponse,
  SingleAuthRequestBody, BatchAuthRequestBody, AuthRequestBodyDoc, UserAuthRequestBody, UserAuthResponse,
  ErrorResponse, WebhookResponse, SOCKET_ID_MAX_LENGTH, ChannelExistenceEvent, ChannelExistenceWebhook,
  ChannelOccupiedEvent, ChannelVacatedEvent, PresenceEvent, PresenceWebhook, MemberAddedEvent,
  MemberRemovedEvent, ClientEvent, ClientEventWebhook, SubscriptionCountEvent, SubscriptionCountWebhook,
  CacheMissEvent, CacheMissWebhook, WebhookEvent, WebhookPayload, CHANNEL_NAME_PATTERN,
  CHANNEL_NAME_MAX_LENGTH, SOCKET_ID_PATTERN, MAX_BATCH_CHANNELS, redisDedupeStore, memoryDedupeStore,
  errors, WebhookDedupeStore, ClaimState, RedisLike, RedisDedupeStoreOptions, WebhookEventName, MaybePromise,
  Serialize, FastifyPusherOptions, WebhookDedupeOptions, PusherRouteOptions, FastifyPusherRouteOptions,
  AuthHandler, PresenceMember, ChannelDataHandler, PusherUser, UserAuthHandler, ChannelType, ChannelInfo,
  ChannelParams, ChannelRuleHandler, WebhookHandler, FastifyPusherWebhooks, UnknownWebhookEvent,
  WebhookDelivery, WebhookEventOf, WebhookEventHandler, PusherEvents, PusherEventName, PusherEventData,
  PusherNotifications, PusherNotificationType, PusherNotificationData, QueueCounts, QueueFailedEvent,
  FastifyPusherQueue, FastifyPusherQueueOptions, AfterReply, PusherBatchEvent, ChannelAttributes,
  TriggerResponse, FastifyPusher, RequestPusher,
  diagnosticChannels, PusherApiKind, PusherApiMessage, PusherAuthResult, PusherAuthMessage,
  PusherWebhookOutcome, PusherWebhookMessage, PusherWebhookEventMessage, PusherQueueMessage, PusherBatchMessage,
  PusherTelemetry, CacheChannelLoader,
  redisPresenceStore, memoryPresenceStore, PresenceStore, PresenceChange, PresenceOutcome, PresenceLimits,
  RedisPresenceStoreOptions, FastifyPusherPresenceOptions, PresenceStatusChange, PresenceHandler, PresenceSyncResult,
  FastifyPusherPresence, PusherApps, PusherAppName, TenantLookup, TenantCredentials, FastifyPusherTenantOptions,
  PusherTenant, PusherSender
} from '../dist/index'

type FastifyPusherPlugin = typeof import('../dist/index').fastifyPusher

declare namespace fastifyPusher {
  export {
    AuthRequestBody, BatchAuthResponse, ChannelAuthResponse, ChannelName, SocketId, AuthResponse,
    SingleAuthRequestBody, BatchAuthRequestBody, AuthRequestBodyDoc, UserAuthRequestBody, UserAuthResponse,
    ErrorResponse, WebhookResponse, SOCKET_ID_MAX_LENGTH, ChannelExistenceEvent, ChannelExistenceWebhook,
    ChannelOccupiedEvent, ChannelVacatedEvent, PresenceEvent, PresenceWebhook, MemberAddedEvent,
    MemberRemovedEvent, ClientEvent, ClientEventWebhook, SubscriptionCountEvent, SubscriptionCountWebhook,
    CacheMissEvent, CacheMissWebhook, WebhookEvent, WebhookPayload, CHANNEL_NAME_PATTERN,
    CHANNEL_NAME_MAX_LENGTH, SOCKET_ID_PATTERN, MAX_BATCH_CHANNELS, redisDedupeStore, memoryDedupeStore,
    errors, WebhookDedupeStore, ClaimState, RedisLike, RedisDedupeStoreOptions, WebhookEventName, MaybePromise,
    Serialize, FastifyPusherOptions, WebhookDedupeOptions, PusherRouteOptions, FastifyPusherRouteOptions,
    AuthHandler, PresenceMember, ChannelDataHandler, PusherUser, UserAuthHandler, ChannelType, ChannelInfo,
    ChannelParams, ChannelRuleHandler, WebhookHandler, FastifyPusherWebhooks, UnknownWebhookEvent,
    WebhookDelivery, WebhookEventOf, WebhookEventHandler, PusherEvents, PusherEventName, PusherEventData,
    PusherNotifications, PusherNotificationType, PusherNotificationData, QueueCounts, QueueFailedEvent,
    FastifyPusherQueue, FastifyPusherQueueOptions, AfterReply, PusherBatchEvent, ChannelAttributes,
    TriggerResponse, FastifyPusher, RequestPusher,
    diagnosticChannels, PusherApiKind, PusherApiMessage, PusherAuthResult, PusherAuthMessage,
    PusherWebhookOutcome, PusherWebhookMessage, PusherWebhookEventMessage, PusherQueueMessage, PusherBatchMessage,
    PusherTelemetry, CacheChannelLoader,
    redisPresenceStore, memoryPresenceStore, PresenceStore, PresenceChange, PresenceOutcome, PresenceLimits,
    RedisPresenceStoreOptions, FastifyPusherPresenceOptions, PresenceStatusChange, PresenceHandler, PresenceSyncResult,
    FastifyPusherPresence, PusherApps, PusherAppName, TenantLookup, TenantCredentials, FastifyPusherTenantOptions,
    PusherTenant, PusherSender
  }
  export const fastifyPusher: FastifyPusherPlugin
  export { fastifyPusher as default }
}

declare function fastifyPusher (...params: Parameters<FastifyPusherPlugin>): ReturnType<FastifyPusherPlugin>

export = fastifyPusher
