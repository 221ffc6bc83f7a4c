// Types for licences.mjs, for the TypeScript tests that import it.

/** An installed production package. */
export interface Package {
  name: string;
  /** undefined when a required package is not installed */
  version: string | undefined;
  licence: string | undefined;
  /** its homepage, else its repository as a URL */
  address: string | undefined;
  /** the chain from the project down to the package that asks for it */
  requiredBy: string[];
}

export const allowList: ReadonlyMap<string, string>;
export function acceptable(expression: string | undefined): boolean;
export function licenceOf(json: Record<string, unknown>): string | undefined;
export function productionPackages(projectRoot: string): Package[];
export function refusals(packages: readonly Package[], allowed?: ReadonlyMap<string, string>): Package[];
export function describeRefusal(p: Package): string;
export function thirdPartyMarkdown(packages: readonly Package[], allowed?: ReadonlyMap<string, string>): string;
