export * from './auth'
export * from './webhooks'
