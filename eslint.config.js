'use strict'

module.exports = [
  ...require('neostandard')({
    ts: true,
    ignores: ['dist/**', 'coverage/**', '.tap/**', 'test/artifacts/**']
  }),
  {
    // TypeBox idiom: a schema and its Static type share one name.
    files: ['lib/schemas/**/*.ts'],
    rules: { '@typescript-eslint/no-redeclare': 'off' }
  }
]
