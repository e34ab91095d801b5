// The sources import one another without a circle, type-only imports included: the public types
// (types/) never import a module of lib/ that imports them back.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import t from 'tap'
import ts from 'typescript'

const root = join(__dirname, '..')

function sources (dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return name === 'import-styles' ? [] : sources(path)
    return /\.ts$/.test(name) && !/\.d\.ts$|\.test-d\.ts$/.test(name) ? [path] : []
  })
}

/** Each source's relative imports and re-exports (TypeScript's own pre-processor), resolved to files. */
function importsOf (file: string): string[] {
  return ts.preProcessFile(readFileSync(file, 'utf8'), true, true).importedFiles
    .map(({ fileName }) => fileName)
    .filter((spec) => spec.startsWith('.'))
    .map((spec) => [join(dirname(file), `${spec}.ts`), join(dirname(file), spec, 'index.ts')].find((candidate) => existsSync(candidate)))
    .filter((resolved): resolved is string => resolved !== undefined)
}

t.test('no import circle among index.ts, lib/ and types/', async (t) => {
  const files = [join(root, 'index.ts'), ...sources(join(root, 'lib')), ...sources(join(root, 'types'))]
  const graph = new Map(files.map((file) => [file, importsOf(file)]))
  t.ok(graph.get(join(root, 'types', 'index.ts'))!.length > 3, 'the imports are read')
  const circles: string[] = []
  const done = new Set<string>()
  const visit = (file: string, path: string[]): void => {
    const at = path.indexOf(file)
    if (at !== -1) { circles.push([...path.slice(at), file].map((each) => relative(root, each)).join(' -> ')); return }
    if (done.has(file)) return
    for (const next of graph.get(file) ?? []) visit(next, [...path, file])
    done.add(file)
  }
  for (const file of files) visit(file, [])
  t.same(circles, [])
})
