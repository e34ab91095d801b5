// What the README's samples assume from your app, for the files here that run them
// (test/readme-samples.test.ts): your credentials, here a client that records instead of
// sending (nothing leaves the process), and a signed-in user on `request.user`, as your own
// authentication would set it.
import { pusherTestClient } from 'fastify-pusher/testing'

export const client = pusherTestClient()
export const credentials = { client }
export const webhookSecret = { key: 'test-key', secret: 'test-secret' }

/** Sets `request.user` on every request of `app`, as an authentication plugin would. */
export function signIn (app, user) {
  app.decorateRequest('user', null)
  app.addHook('onRequest', async (request) => { request.user = user })
}

/** POST a form, the way pusher-js does. */
export const postForm = (app, url, payload) =>
  app.inject({ method: 'POST', url, payload, headers: { 'content-type': 'application/x-www-form-urlencoded' } })
