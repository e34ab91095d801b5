// What the README's samples assume from your app, for the type checks
// (test/readme-samples.test.ts): a user on `request.user` (your authentication sets it),
// an `authenticate` hook, and `ownerOf` (your data).
import type { onRequestHookHandler } from 'fastify'

declare module 'fastify' {
  interface FastifyRequest {
    user?: { id: string, name: string, teams: string[], friendIds: string[] } | null
  }
  interface FastifyInstance {
    authenticate: onRequestHookHandler
  }
}

declare global {
  function ownerOf (orderId: string): Promise<string>
}
