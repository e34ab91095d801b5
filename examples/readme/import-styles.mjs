// README "TypeScript and import styles", ES module. Run by test/readme-samples.test.ts.
import assert from 'node:assert'
// ES modules, and TypeScript (CommonJS or nodenext)
import fastifyPusher, { fastifyPusher as samePlugin } from 'fastify-pusher'

assert.equal(typeof fastifyPusher, 'function')
assert.equal(samePlugin, fastifyPusher)
