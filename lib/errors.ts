import createError from '@fastify/error'

// Every error fastify-pusher creates, made once. Register-time errors carry no
// meaningful HTTP status; request-time errors carry the status they answer with.

// Register time
export const MissingDependencyError = createError(
  'FST_PUSHER_MISSING_DEPENDENCY',
  '%s needs the %s package: npm install %s',
  500
)
export const MissingOptionError = createError(
  'FST_PUSHER_MISSING_OPTION',
  'Missing option "%s": pass it to register() or set the %s environment variable',
  500,
  TypeError
)
export const InvalidOptionError = createError(
  'FST_PUSHER_INVALID_OPTION',
  'Invalid option "%s": %s',
  500,
  TypeError
)
export const AlreadyRegisteredError = createError(
  'FST_PUSHER_ALREADY_REGISTERED',
  'fastify-pusher: %s is already registered on this instance: register each app once (several apps: give each a name)',
  500
)
export const RouteCollisionError = createError(
  'FST_PUSHER_ROUTE_COLLISION',
  'fastify-pusher: the routes of %s and %s would collide at %s: give each app its own prefix',
  500
)
export const NoDefaultAppError = createError(
  'FST_PUSHER_NO_DEFAULT_APP',
  '%s: no default (unnamed) app is registered, only named ones: use apps.<name>',
  500
)
export const TenantRequiredError = createError(
  'FST_PUSHER_TENANT_REQUIRED',
  '%s: this registration serves tenants: use forApp(appIdOrKey) to send for one',
  500
)
export const InvalidHandlerError = createError(
  'FST_PUSHER_INVALID_HANDLER',
  'The %s handler must be a function, got %s',
  500,
  TypeError
)

// Channel authorization
export const NoAuthHandlerError = createError(
  'FST_PUSHER_NO_AUTH_HANDLER',
  'Channel authorization is not configured: no auth handler is set',
  403
)
export const ForbiddenChannelError = createError(
  'FST_PUSHER_FORBIDDEN',
  'Not allowed to subscribe to channel "%s"',
  403
)
export const NotAuthorizableChannelError = createError(
  'FST_PUSHER_CHANNEL_NOT_AUTHORIZABLE',
  'Channel "%s" is neither private nor presence: it needs no authorization',
  404
)
export const MissingChannelNameError = createError(
  'FST_PUSHER_MISSING_CHANNEL_NAME',
  'body must have property channel_name (single auth) or channel_name[0] (batch auth)',
  400
)
export const EmptyBodyError = createError(
  'FST_PUSHER_EMPTY_BODY',
  'body is empty: it must have property socket_id',
  400
)
export const DuplicateFieldError = createError(
  'FST_PUSHER_DUPLICATE_FIELD',
  'body/%s is given more than once',
  400
)
export const InvalidBatchFieldError = createError(
  'FST_PUSHER_INVALID_FIELD',
  'body/%s must be string',
  400
)
export const TooManyChannelsError = createError(
  'FST_PUSHER_TOO_MANY_CHANNELS',
  'A batch may authorize at most %d channels, got %d',
  400
)
export const EncryptionNotConfiguredError = createError(
  'FST_PUSHER_ENCRYPTION_NOT_CONFIGURED',
  'Encrypted channel "%s" is not available on this server',
  404
)
export const InvalidChannelDataError = createError(
  'FST_PUSHER_INVALID_CHANNEL_DATA',
  'The %s returned an invalid presence member for channel "%s": %s',
  500
)
export const InvalidChannelPatternError = createError(
  'FST_PUSHER_INVALID_CHANNEL_PATTERN',
  'Invalid channel pattern %s: %s',
  500,
  TypeError
)

// User authentication (pusher-js signin())
export const NoUserAuthHandlerError = createError(
  'FST_PUSHER_NO_USER_AUTH_HANDLER',
  'User authentication is not configured: no userAuth handler is set',
  403
)
export const UserAuthForbiddenError = createError(
  'FST_PUSHER_USER_AUTH_FORBIDDEN',
  'Not allowed to sign in',
  403
)
export const InvalidUserDataError = createError(
  'FST_PUSHER_INVALID_USER_DATA',
  'The userAuth handler returned invalid user data: %s',
  500
)
/** Anything else that fails in the plugin's routes (a hook of the app's on them, a bug): its cause is logged, never sent. */
export const InternalError = createError(
  'FST_PUSHER_INTERNAL_ERROR',
  'fastify-pusher could not answer this request',
  500
)
export const HandlerFailedError = createError(
  'FST_PUSHER_HANDLER_FAILED',
  'The %s handler failed',
  500
)

export const SigningFailedError = createError(
  'FST_PUSHER_SIGNING_FAILED',
  'Could not sign: %s could not be serialized as JSON',
  500
)
export const HandlerTimeoutError = createError(
  'FST_PUSHER_HANDLER_TIMEOUT',
  'The %s handler did not answer within %d ms',
  503
)
/** The same, on a webhook route: a 500, so that Pusher retries. */
export const WebhookHandlerTimeoutError = createError(
  'FST_PUSHER_HANDLER_TIMEOUT',
  'The %s handler did not answer within %d ms',
  500
)

// Webhooks
export const NoWebhookHandlerError = createError(
  'FST_PUSHER_NO_WEBHOOK_HANDLER',
  'No webhook handler is set for %s',
  404
)
export const InvalidWebhookEventError = createError(
  'FST_PUSHER_INVALID_WEBHOOK_EVENT',
  'webhooks.on(%s): not a webhook event; use one of %s',
  500,
  TypeError
)
export const WebhookExpiredError = createError(
  'FST_PUSHER_WEBHOOK_EXPIRED',
  'The webhook is outside the replay window (its time_ms is too old or too far in the future)',
  403
)
export const WebhookInProgressError = createError(
  'FST_PUSHER_WEBHOOK_IN_PROGRESS',
  'This delivery is being processed by another request; retry later',
  409
)
export const DedupeStoreError = createError(
  'FST_PUSHER_WEBHOOK_DEDUPE_FAILED',
  'The webhook dedupe store failed; retry later',
  500
)
export const WebhookKeyError = createError(
  'FST_PUSHER_WEBHOOK_INVALID_KEY',
  'The X-Pusher-Key header is missing or is not this app\'s key',
  403
)
export const WebhookSignatureError = createError(
  'FST_PUSHER_WEBHOOK_INVALID_SIGNATURE',
  'The X-Pusher-Signature header is missing or does not match the body',
  403
)
export const WebhookContentTypeError = createError(
  'FST_PUSHER_WEBHOOK_UNSUPPORTED_MEDIA_TYPE',
  'Webhook body must be application/json, got %s',
  415
)
export const WebhookBodyError = createError(
  'FST_PUSHER_WEBHOOK_INVALID_JSON',
  'Webhook body is not valid JSON: %s',
  400
)

// Presence on the server
export const PresenceStoreError = createError(
  'FST_PUSHER_PRESENCE_STORE_FAILED',
  'The presence store failed; retry later',
  500
)
export const InvalidPresenceQueryError = createError(
  'FST_PUSHER_INVALID_PRESENCE_QUERY',
  'presence.%s: %s',
  400,
  TypeError
)

// Sending (server -> Pusher)
export const ApiError = createError(
  'FST_PUSHER_API_ERROR',
  'The Pusher API refused %s: %s',
  502
)
export const ApiTimeoutError = createError(
  'FST_PUSHER_API_TIMEOUT',
  'The Pusher API did not answer %s within %d ms',
  504
)
export const ApiNetworkError = createError(
  'FST_PUSHER_API_UNREACHABLE',
  'The Pusher API could not be reached for %s: %s',
  502
)
export const InvalidEventError = createError(
  'FST_PUSHER_INVALID_EVENT',
  'Not sent: event "%s" on %s: %s',
  500,
  TypeError
)
export const QueueUnavailableError = createError(
  'FST_PUSHER_QUEUE_UNAVAILABLE',
  'Not queued: Redis did not store %s within %d ms',
  503
)
export const QueueNotConfiguredError = createError(
  'FST_PUSHER_QUEUE_NOT_CONFIGURED',
  'app.pusher.queue needs the queue option (an ioredis connection): see the README, "Durable sending"',
  500
)
export const ClosedError = createError(
  'FST_PUSHER_CLOSED',
  'Not sent: the app is closing (fastify-pusher accepts no event once close() has started)',
  500
)

// Tenants (the `tenants` option) and forApp()
export const UnknownAppError = createError(
  'FST_PUSHER_UNKNOWN_APP',
  'Unknown app: %s',
  404
)
export const TenantUnavailableError = createError(
  'FST_PUSHER_TENANT_UNAVAILABLE',
  "The app's credentials could not be looked up: %s",
  503
)
