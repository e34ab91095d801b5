import { MissingDependencyError } from './errors'

/**
 * An optional peer dependency, loaded only when a feature that needs it is used. Missing, it is
 * FST_PUSHER_MISSING_DEPENDENCY saying what needs it and what to install.
 */
export function loadOptional<T> (name: string, neededBy: string, load: (name: string) => unknown = require): T {
  try {
    return load(name) as T
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND') throw new MissingDependencyError(neededBy, name, name)
    throw error
  }
}
