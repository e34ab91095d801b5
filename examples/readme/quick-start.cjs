// README "Usage": the quick start in CommonJS, as written. Run by test/readme-samples.test.ts.
const Fastify = require('fastify')
const fastifyPusher = require('fastify-pusher')

async function main () {
  const app = Fastify({ logger: true })
  await app.register(fastifyPusher, { appId: '123', key: 'key', secret: 'secret', cluster: 'eu' })
  app.pusher.auth(async (request, channelName, socketId) => request.user != null)
  await app.listen({ port: Number(process.env.PORT ?? 3000) })
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})
