// Which paths of the repository reach the image's build context, by .dockerignore's
// patterns (the subset this repository uses: `*`, `**/`, and no `!` exceptions), and
// which workspaces that leaves for `npm ci --omit=dev`.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { dockerignore, root } from './dockerfile.ts';

function patternToRegExp(pattern: string): RegExp {
  const body = pattern
    .replace(/^\/+|\/+$/g, '')
    .split('/')
    .map((part) =>
      part === '**' ? '(?:.*/)?' : `${part.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')}/`,
    )
    .join('');
  // A pattern names a file or a folder: the folder takes everything below it.
  return new RegExp(`^${body.replace(/\/$/, '')}(?:/.*)?$`);
}

/** True when .dockerignore keeps `path` (relative to the repository root) out of the context. */
export function ignored(path: string, patterns: string[] = dockerignore()): boolean {
  if (patterns.some((pattern) => pattern.startsWith('!')))
    throw new Error('.dockerignore exceptions (!) are not understood by this check');
  return patterns.some((pattern) => patternToRegExp(pattern).test(path));
}

export interface Workspace {
  folder: string;
  name: string;
  dependencies: Record<string, string>;
}

/** Every workspace of the root package.json (globs of the form `folder/*`). */
export function workspaces(): Workspace[] {
  const rootPackage = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    workspaces: string[];
  };
  return rootPackage.workspaces.flatMap((glob) => {
    const parent = glob.replace(/\/\*$/, '');
    return readdirSync(join(root, parent))
      .map((entry) => `${parent}/${entry}`)
      .filter((folder) => existsSync(join(root, folder, 'package.json')))
      .map((folder) => {
        const manifest = JSON.parse(readFileSync(join(root, folder, 'package.json'), 'utf8')) as {
          name: string;
          dependencies?: Record<string, string>;
        };
        return { folder, name: manifest.name, dependencies: manifest.dependencies ?? {} };
      });
  });
}
