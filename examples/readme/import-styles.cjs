'use strict'
// README "TypeScript and import styles", CommonJS. Run by test/readme-samples.test.ts.
const assert = require('node:assert')

// CommonJS
const fastifyPusher = require('fastify-pusher')                 // the plugin itself
const { fastifyPusher: samePlugin } = require('fastify-pusher')  // a named export too
const sameAgain = require('fastify-pusher').default             // and `.default`, for transpiled code

assert.equal(typeof fastifyPusher, 'function')
assert.equal(samePlugin, fastifyPusher)
assert.equal(sameAgain, fastifyPusher)
